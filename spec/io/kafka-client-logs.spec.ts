import { expect } from 'chai';
import type { Logger } from 'winston';
import { kafkaClient } from '../../lib/io/kafka/kafka-client.js';

/** kafkajs's own log lines, as they reach ours: routine ones of exactly-once at debug, the rest as kafkajs said. */
describe('kafkajs log lines', () => {
  const capture = () => {
    const lines: Array<{ level: string; message: string }> = [];
    const logger = { log: (level: string, message: string) => void lines.push({ level, message }) } as unknown as Logger;
    return { lines, kafka: kafkaClient({ bootstrapServers: 'localhost:1', clientId: 'spec' }, logger) };
  };

  it('keeps at debug a transaction request refused while the last commit completes, and the retries warning of a transactional producer', () => {
    const { lines, kafka } = capture();
    const concurrent = 'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing';
    kafka.logger().error('Response AddPartitionsToTxn(key: 24, version: 1)', { error: concurrent });
    kafka.logger().error(`Failed to send messages: ${concurrent}`, { retryCount: 0 });
    kafka.logger().warn('Limiting retries for the idempotent producer may invalidate EoS guarantees');
    expect(lines.map((l) => l.level)).to.deep.equal(['debug', 'debug', 'debug']);
  });

  it('passes on other errors and warnings as they are', () => {
    const { lines, kafka } = capture();
    kafka.logger().error('Response AddOffsetsToTxn(key: 25, version: 1)', { error: 'Producer attempted an operation with an old epoch' });
    kafka.logger().warn('The group is rebalancing, re-joining');
    expect(lines).to.deep.equal([
      { level: 'error', message: 'kafkajs: Response AddOffsetsToTxn(key: 25, version: 1)' },
      { level: 'warn', message: 'kafkajs: The group is rebalancing, re-joining' },
    ]);
  });
});
