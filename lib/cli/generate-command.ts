import { setTimeout as sleep } from 'node:timers/promises';
import { liveOrders } from '../io/live-orders.js';
import { parseCommandArgs, UsageError } from './args.js';
import { CommandFlags } from './command-flags.js';
import { inputTopicSink } from './options.js';

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
  if (parsed.positionals.length > 0) throw new UsageError(`generate: takes no arguments, got: ${parsed.positionals.join(' ')}`);
  const flags = new CommandFlags(parsed.options);
  const rate = flags.decimal('rate', 100, (n) => n > 0, 'a number > 0 of orders per second');
  const count = flags.integer('count', Infinity, 1, Number.MAX_SAFE_INTEGER, 'a positive integer');
  const customers = flags.integer('customers', 10_000, 1, Number.MAX_SAFE_INTEGER, 'a positive integer');
  // The generator's state is 32 bits: a larger seed would repeat a smaller one's orders.
  const seed = flags.integer('seed', Date.now() % 2 ** 31, 0, 2 ** 32 - 1, 'an integer from 0 to 4294967295');
  const fraudShare = flags.decimal('fraud-share', 0.01, (n) => n >= 0 && n <= 1, 'a decimal number from 0 to 1');
  const config = flags.loadConfig(parsed.settings);
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
