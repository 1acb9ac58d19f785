import { createRequire } from 'node:module';

interface FilteredMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly isControlRecord: boolean;
  readonly batchContext: { readonly producerId: string; readonly inTransaction: boolean };
}

export type AbortFilter = (input: { messages: FilteredMessage[]; abortedTransactions: Array<{ producerId: string; firstOffset: string }> }) => FilteredMessage[];

/**
 * Whether the installed kafkajs keeps records of aborted transactions from read_committed readers.
 *
 * kafkajs 2.2.4 does not when aborted transactions interleave on a partition: it takes the broker's list of
 * them in the order given (the order they ended) and one a message, so a record of a transaction that
 * began before another aborted one gets through (spec/kafka/read-committed.spec.ts shows it on the broker).
 * Exactly once, the internal topics are read that way, and such a record would be counted twice.
 * patches/kafkajs+2.2.4.patch mends the one file, as Kafka's own consumer does it; `npm install` applies it
 * (postinstall), and the image's build stage too. This asks the filter itself, with that case.
 */
export function abortFilterIsSound(filter: AbortFilter = installedAbortFilter()): boolean {
  const record = (offset: number, producerId: string): FilteredMessage => ({ offset: String(offset), key: null, isControlRecord: false, batchContext: { producerId, inTransaction: true } });
  const abortMarker = (offset: number, producerId: string): FilteredMessage => ({ offset: String(offset), key: Buffer.from([0, 0, 0, 0]), isControlRecord: true, batchContext: { producerId, inTransaction: true } });
  // B begins, A begins, A aborts, B goes on and aborts, C commits: the broker lists A first.
  const kept = filter({
    messages: [record(0, 'b'), record(1, 'a'), abortMarker(2, 'a'), record(3, 'b'), abortMarker(4, 'b'), record(5, 'c')],
    abortedTransactions: [
      { producerId: 'a', firstOffset: '1' },
      { producerId: 'b', firstOffset: '0' },
    ],
  });
  return kept.filter((m) => !m.isControlRecord).map((m) => m.offset).join() === '5';
}

/** The installed kafkajs's filter (not part of its API: a patched file is what this reads). */
export const installedAbortFilter = (): AbortFilter => createRequire(import.meta.url)('kafkajs/src/consumer/filterAbortedMessages.js') as AbortFilter;
