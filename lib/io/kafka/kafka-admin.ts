import type { Admin, Kafka } from 'kafkajs';
import type { TopicAdmin } from '../ports.js';
import { retrying } from './retry.js';

/** Topics and offsets, through a kafkajs admin client. */
export async function kafkaAdmin(kafka: Kafka): Promise<TopicAdmin> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  return {
    async ensureTopic(topic, partitions, configs = {}) {
      const existing = await retrying(() => admin.listTopics());
      if (existing.includes(topic)) return false;
      // Another instance may create it between the two calls: createTopics then says false, not an error.
      return retrying(() => admin.createTopics({
          topics: [{ topic, numPartitions: partitions, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
          waitForLeaders: true,
        }),);
    },
    async endOffsets(topic) {
      const offsets = await retrying(() => admin.fetchTopicOffsets(topic));
      return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
    },
    close: () => admin.disconnect(),
  };
}
