import { expect } from 'chai';
import { DEFAULT_ANALYTICS_SETTINGS } from '../../lib/analytics/settings.js';
import type { OutgoingMessage, RecordSink } from '../../lib/io/ports.js';
import { customerTaskRunner } from '../../lib/runtime/customer-task-runner.js';
import { internalTopics } from '../../lib/runtime/internal-topics.js';
import type { TaskContext } from '../../lib/runtime/task.js';
import { writeMetadata } from '../../lib/runtime/task-metadata.js';

const sent: OutgoingMessage[] = [];
const sink: RecordSink = {
  send: (m) => void sent.push(m),
  pending: () => 0,
  flush: async () => undefined,
  belowBound: async () => undefined,
  onFailure: () => undefined,
  close: async () => undefined,
};
const internal = internalTopics('g');
const context: TaskContext = {
  analytics: DEFAULT_ANALYTICS_SETTINGS,
  sink,
  topics: { inputTopic: 'orders', outputTopic: 'analytics', deadLetterTopic: 'dead-letters' },
  internal,
  inputPartitions: 3,
  maxPendingOutputs: 1_000,
  onOutput: () => undefined,
  observer: {},
  inputEnds: async () => new Map(),
};
const gauges = { openWindows: 0, openPanes: 0, liveKeys: 0 };
const owned = (metadata: string) => ({ topic: internal.ordersByCustomer, partition: 1, committed: { partition: 1, offset: 40, metadata }, low: 0, high: 50 });

describe('a customer task restored from its commit', () => {
  it('refuses a commit made by a build that sent its own partition\'s orders through the topic, naming the way out', () => {
    const earlier = writeMetadata({ t: 'customer', w: 10, next: 40, lanes: new Map([[1, { from: 12, taken: 3, readUpTo: 40, watermark: 5 }]]), words: new Map() });
    expect(() => customerTaskRunner(owned(earlier), context, gauges, { local: true })).to.throw(/g-orders-by-customer-repartition:1: .*new kafka\.groupId/);
  });

  it('takes a commit of its own kind, and hands the lane on from where its re-read starts', () => {
    const own = writeMetadata({ t: 'customer', w: 10, next: 40, local: 1, lanes: new Map([[1, { from: 12, taken: 3, readUpTo: 30, watermark: 5 }]]), words: new Map() });
    const task = customerTaskRunner(owned(own), context, gauges, { local: true });
    expect(task.local.resumeAt()).to.deep.equal({ offset: 12, watermark: 5 });
    task.close();
  });
});
