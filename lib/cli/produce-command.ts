import { setTimeout as sleep } from 'node:timers/promises';
import { lastValueFrom, defaultIfEmpty, tap } from 'rxjs';
import { readRecording } from '../io/recording-source.js';
import { MAX_RECORD_BYTES } from '../model/decode-order.js';
import { parseCommandArgs, UsageError } from './args.js';
import { CommandFlags } from './command-flags.js';
import { checkReadable, inputTopicSink } from './options.js';

export const PRODUCE_USAGE = `stream-processor produce FILE [--key customerId|orderId] [--rate N] [settings]

Publishes a recording (JSON Lines, .gz too) to the input topic, one message per non-blank line, bytes
untouched (bad lines too, so they reach the dead-letter topic; only lines over 1 MiB, more than a
broker takes by default, are skipped and reported). The key is the line's customerId
(--key orderId as the original producer did); a line without one goes unkeyed.
  --key FIELD   customerId (default) or orderId
  --rate N      messages per second; as fast as possible without it`;

/** `produce FILE`: returns the exit code. */
export async function produceCommand(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(args, { key: { type: 'string' }, rate: { type: 'string' } });
  const [file, ...extra] = parsed.positionals;
  if (file === undefined) throw new UsageError('produce: needs a FILE to publish');
  if (extra.length > 0) throw new UsageError(`produce: takes one FILE, got also: ${extra.join(' ')}`);
  const flags = new CommandFlags(parsed.options);
  const keyField = flags.oneOf('key', 'customerId', ['customerId', 'orderId']);
  const rate = flags.decimal('rate', undefined, (n) => n > 0, 'a number > 0 of messages per second');
  try {
    checkReadable(file);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    flags.add(e.message);
  }
  const config = flags.loadConfig(parsed.settings);
  const sink = await inputTopicSink(config, 'produce');
  const started = performance.now();
  let sent = 0;
  // Line numbers of lines too large to publish.
  const skipped: number[] = [];
  let failure: Error | undefined;
  sink.onFailure((err) => {
    failure = err;
  });
  const whenReady = async (): Promise<void> => {
    if (sink.pending() > 20_000) await sink.belowBound(10_000);
    if (rate !== undefined) {
      const ahead = (sent * 1000) / rate - (performance.now() - started);
      if (ahead > 0) await sleep(ahead);
    }
  };
  await lastValueFrom(
    readRecording(file, { whenReady, chunkBytes: rate !== undefined ? Math.max(256, Math.min(1 << 20, rate * 20)) : 1 << 20 }).pipe(
      tap((record) => {
        const value = record.value as Buffer;
        // A broker takes about 1 MiB a message by default; one failed message would fail its whole batch.
        if (value.length > MAX_RECORD_BYTES) {
          skipped.push(record.offset);
          return;
        }
        sink.send({ topic: config.kafka.inputTopic, key: keyOf(value, keyField), value });
        sent += 1;
      }),
      defaultIfEmpty(undefined),
    ),
  );
  await sink.close();
  if (failure !== undefined) throw failure;
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`produced ${sent} messages to ${config.kafka.inputTopic} in ${seconds.toFixed(2)} s (${Math.round(sent / seconds)}/s)\n`);
  if (skipped.length > 0) {
    process.stderr.write(`skipped ${skipped.length} line(s) over ${MAX_RECORD_BYTES} bytes, more than a broker takes by default: line ${skipped.slice(0, 10).join(', ')}\n`);
  }
  return 0;
}

function keyOf(line: Buffer, field: string): string | null {
  try {
    const value = (JSON.parse(line.toString('utf8')) as Record<string, unknown>)[field];
    return typeof value === 'string' && value.length > 0 ? value : null;
  } catch {
    return null;
  }
}
