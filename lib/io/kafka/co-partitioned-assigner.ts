import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import { coPartitionedAssignment } from '../../runtime/co-partitioned-assignment.js';

/**
 * The group's partition assigner ({@link coPartitionedAssignment}) as kafkajs takes one. Its name is the
 * group protocol: a member without it (an earlier build, with kafkajs's round robin) cannot join a group
 * of members with it, and the broker says so (INCONSISTENT_GROUP_PROTOCOL), rather than the two sharing
 * partitions in a way that would split a source task from the customer task beside it.
 */
export const coPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'StreamProcessorCoPartitioned',
  version: 1,
  async assign({ members, topics }) {
    const partitionsOf = new Map(topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).length]));
    const assignment = coPartitionedAssignment(
      members.map((m) => m.memberId),
      partitionsOf,
    );
    return [...assignment].map(([memberId, byTopic]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: byTopic, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: 'StreamProcessorCoPartitioned', metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
  },
});
