import { setTimeout as sleep } from 'node:timers/promises';
import { liveOrders } from '../io/live-orders.js';
import { loadConfig } from '../service/config.js';
import { parseCommandArgs, UsageError } from './args.js';
import { inputTopicSink, parseRate } from './options.js';

export const GENERATE_USAGE = `stream-processor generate [--rate N] [--count N] [--customers N] [--fraud-share F] [--seed N] [settings]

Publishes synthetic orders, stamped with the current time, to the input topic, keyed by customerId,
until --count is reached or SIGINT/SIGTERM. About --fraud-share of them start fraud: an amount above
$1000, or a burst of orders of one customer within seconds.
  --rate N         orders per second (default 100)
  --count N        stop after N orders (default: run until stopped)
  --customers N    distinct customers (default 10000)
  --fraud-share F  from 0 to 1 (default 0.01)
  --seed N         for a repeatable sequence (default: from the clock)`;

export async function generateCommand(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(args, {
    rate: { type: 'string' },
    count: { type: 'string' },
    customers: { type: 'string' },
    'fraud-share': { type: 'string' },
    seed: { type: 'string' },
  });
  if (parsed.positionals.length > 0) throw new UsageError(`generate takes no arguments, got: ${parsed.positionals.join(' ')}`);
  const rate = parseRate((parsed.options.rate as string | undefined) ?? '100') as number;
  const count = wholeNumber(parsed.options.count as string | undefined, '--count', Infinity);
  const customers = wholeNumber(parsed.options.customers as string | undefined, '--customers', 10_000);
  const seed = wholeNumber(parsed.options.seed as string | undefined, '--seed', Date.now() % 2 ** 31);
  const fraudShare = Number((parsed.options['fraud-share'] as string | undefined) ?? '0.01');
  if (!(fraudShare >= 0 && fraudShare <= 1)) throw new UsageError(`--fraud-share=${String(parsed.options['fraud-share'])}: expected a number from 0 to 1`);
  const config = loadConfig({ flags: parsed.settings });
  const sink = await inputTopicSink(config, 'generate');
  const next = liveOrders({ customers, fraudShare, seed });
  let stop = false;
  const onSignal = (): void => {
    stop = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = performance.now();
  let sent = 0;
  while (!stop && sent < count) {
    // Send what is due by now, then sleep a tick: steady at any rate without a timer per order.
    const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    for (; sent < due; sent++) {
      const line = next(Date.now());
      sink.send({ topic: config.kafka.inputTopic, key: (JSON.parse(line) as { customerId: string }).customerId, value: line });
    }
    if (sink.pending() > 50_000) await sink.belowBound(10_000);
    await sleep(Math.max(1, Math.min(100, 1000 / rate)));
  }
  await sink.close();
  process.stderr.write(`generated ${sent} orders to topic ${config.kafka.inputTopic}\n`);
  return 0;
}

function wholeNumber(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!(Number.isSafeInteger(n) && n > 0)) throw new UsageError(`${flag}=${JSON.stringify(text)}: expected a positive whole number`);
  return n;
}
