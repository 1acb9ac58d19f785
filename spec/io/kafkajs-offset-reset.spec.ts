import { expect } from 'chai';
import { createRequire } from 'node:module';

interface OffsetManager {
  setDefaultOffset(p: { topic: string; partition: number }): Promise<void>;
  nextOffset(topic: string, partition: number): { toString(): string };
}
type OffsetManagerClass = new (options: Record<string, unknown>) => OffsetManager;

/**
 * The kafkajs patch (patches/kafkajs+2.2.4.patch), its offset-reset part. A consumer whose fetch position
 * fell below the log start (an internal topic's records purged after the position was read: the partition
 * had just moved to this instance) resets to the earliest offset. As released, kafkajs committed that
 * reset for the group, erasing the commit of the partition's task with its restore metadata: the task then
 * started over with no state (seen in the bench: three instances, exactly once, results missing).
 */
describe('kafkajs consumer: an offset out of range', () => {
  const OffsetManager = createRequire(import.meta.url)('kafkajs/src/consumer/offsetManager/index.js') as OffsetManagerClass;

  it('moves the consumer to the log start and commits nothing for the group (fails if the patch is lost)', async () => {
    const commits: unknown[] = [];
    const committed: Record<string, Record<number, string>> = {};
    const manager = new OffsetManager({
      cluster: {
        committedOffsets: () => committed,
        fetchTopicsOffset: async (topics: Array<{ topic: string; fromBeginning?: boolean }>) => {
          expect(topics[0]).to.include({ topic: 'internal', fromBeginning: true });
          return [{ topic: 'internal', partitions: [{ partition: 0, offset: '42' }] }];
        },
      },
      coordinator: { offsetCommit: async (request: unknown) => void commits.push(request) },
      memberAssignment: { internal: [0] },
      autoCommit: false,
      topicConfigurations: { internal: { fromBeginning: true } },
      groupId: 'g',
      generationId: 1,
      memberId: 'm',
    });
    await manager.setDefaultOffset({ topic: 'internal', partition: 0 });
    expect(commits, 'offset commits sent').to.deep.equal([]);
    expect(manager.nextOffset('internal', 0).toString()).to.equal('42');
  });
});
