import { AssignerProtocol, type Admin, type Kafka } from 'kafkajs';
import type { GroupMember, GroupView } from '../ports.js';

/**
 * The group through a kafkajs admin client (DescribeGroups): its members with their client id, host and
 * assigned partitions (decoded from the assignment the group leader handed out, kafkajs's own format).
 * The admin connects at the first question and again after a failed one (a broker restart).
 */
export function kafkaGroupView(kafka: Kafka, groupId: string): GroupView {
  let admin: Admin | undefined;
  return {
    async describe() {
      try {
        if (admin === undefined) {
          admin = kafka.admin();
          await admin.connect();
        }
        const { groups } = await admin.describeGroups([groupId]);
        const group = groups[0];
        const members: GroupMember[] = (group?.members ?? []).map((m) => ({
          memberId: m.memberId,
          clientId: m.clientId,
          host: m.clientHost,
          partitions: decodeAssignment(m.memberAssignment),
        }));
        members.sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
        return { state: group?.state ?? 'Dead', members };
      } catch (err) {
        const failed = admin;
        admin = undefined;
        await failed?.disconnect().catch(() => undefined);
        throw err;
      }
    },
    async close() {
      await admin?.disconnect().catch(() => undefined);
      admin = undefined;
    },
  };
}

/** An empty assignment (a member that joined and has none yet, or a rebalance under way) owns nothing. */
function decodeAssignment(bytes: Buffer): Record<string, number[]> {
  if (bytes.length === 0) return {};
  try {
    const decoded = AssignerProtocol.MemberAssignment.decode(bytes);
    return decoded === null ? {} : Object.fromEntries(Object.entries(decoded.assignment).map(([topic, partitions]) => [topic, [...partitions].sort((a, b) => a - b)]));
  } catch {
    return {};
  }
}
