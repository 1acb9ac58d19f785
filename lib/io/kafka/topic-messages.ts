import type { Message, TopicMessages } from 'kafkajs';
import type { OutgoingMessage } from '../ports.js';

/** Our messages as one kafkajs `sendBatch` wants them: grouped by topic, in order within each. */
export function topicMessagesOf(batch: readonly OutgoingMessage[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const m of batch) {
    let list = byTopic.get(m.topic);
    if (list === undefined) byTopic.set(m.topic, (list = []));
    list.push({ key: m.key, value: m.value, ...(m.partition !== undefined ? { partition: m.partition } : {}), ...(m.headers ? { headers: { ...m.headers } } : {}) });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
