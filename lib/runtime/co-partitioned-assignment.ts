/** Partitions by topic, for one member of the group. */
export type MemberAssignment = Record<string, number[]>;

/**
 * How the group's partitions are shared among its members so that partition p of every topic with the most
 * partitions (the input and the orders-by-customer topic) goes to one member: the source task and the
 * customer task of number p then run side by side and hand orders over in memory (Kafka Streams assigns a
 * task's co-partitioned inputs together for the same reason). Partition numbers go round the members in
 * order of id; the partitions of other topics (the one of the hourly partials) go to the members with the
 * fewest partitions so far. Every member gets an entry, empty or not.
 *
 * ```
 * members a, b; orders and orders-by-customer with 3 partitions each, hourly-partials with 1
 * a: orders [0, 2], orders-by-customer [0, 2]
 * b: orders [1], orders-by-customer [1], hourly-partials [0]
 * ```
 */
export function coPartitionedAssignment(memberIds: readonly string[], partitionsOf: ReadonlyMap<string, number>): Map<string, MemberAssignment> {
  const members = [...memberIds].sort();
  const out = new Map<string, MemberAssignment>(members.map((m) => [m, {}]));
  if (members.length === 0) return out;
  const load = new Map<string, number>(members.map((m) => [m, 0]));
  const give = (member: string, topic: string, partition: number): void => {
    const assignment = out.get(member)!;
    (assignment[topic] ??= []).push(partition);
    load.set(member, load.get(member)! + 1);
  };
  const topics = [...partitionsOf.keys()].sort();
  const most = Math.max(0, ...partitionsOf.values());
  const together = topics.filter((t) => partitionsOf.get(t) === most);
  for (let p = 0; p < most; p++) for (const topic of together) give(members[p % members.length]!, topic, p);
  for (const topic of topics.filter((t) => partitionsOf.get(t) !== most)) {
    for (let p = 0; p < partitionsOf.get(topic)!; p++) {
      const least = members.reduce((a, b) => (load.get(b)! < load.get(a)! ? b : a));
      give(least, topic, p);
    }
  }
  return out;
}
