import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Subject, VirtualTimeScheduler } from 'rxjs';
import { analyticsPipeline, type PipelineOutput } from '../../lib/analytics/pipeline.js';
import { DEFAULT_ANALYTICS_SETTINGS, type AnalyticsSettings } from '../../lib/analytics/settings.js';
import type { SourceEvent } from '../../lib/model/source.js';
import { LineWriter } from '../../lib/io/line-writer.js';
import { replay } from '../../lib/io/replay.js';
import { analyticsJson } from '../../lib/io/serialize.js';
import {
  batchAnalytics,
  centsToNumber,
  decodeRecord,
  exactSum,
  MAX_BYTES,
  recordingLines,
  roundedCents,
  type RefOutput,
  type RefRecord,
} from '../reference/batch-analytics.js';
import { amountArb, hugeAmountArb, recordingPlanArb, recordsOf, settingsArb } from '../reference/order-generators.js';

/**
 * The pipeline against spec/reference/batch-analytics.ts, a batch computation of semantics §1-5 written without
 * lib/, over random recordings of one partition. FC_SEED and FC_RUNS override the fixed seed and the runs.
 */

const SEED = process.env.FC_SEED === undefined ? 20_240_601 : Number(process.env.FC_SEED);
const RUNS = process.env.FC_RUNS === undefined ? 200 : Number(process.env.FC_RUNS);
const params = { seed: SEED, numRuns: RUNS, endOnFailure: false } as const;

// ---------------------------------------------------------------------------------------------- harness

interface PipelineRun {
  /** What the pipeline emitted while it was handed record i (synchronously). */
  readonly perRecord: PipelineOutput[][];
  /** What it emitted when the input completed. */
  readonly atEnd: PipelineOutput[];
  readonly all: PipelineOutput[];
}

/** Something to do before record i (i = records.length: before the end): send a status, let time pass. */
type Interlude = (i: number, input: Subject<SourceEvent>, clock: VirtualTimeScheduler) => void;

/**
 * Feeds the records one by one through a Subject, noting what comes out at each, then completes. Idleness
 * runs on a virtual clock that moves only when an interlude moves it.
 */
function runPipeline(settings: AnalyticsSettings, records: readonly RefRecord[], interlude: Interlude = () => {}): PipelineRun {
  const input = new Subject<SourceEvent>();
  const clock = new VirtualTimeScheduler();
  const all: PipelineOutput[] = [];
  let completed = false;
  let failure: unknown;
  const subscription = input.pipe(analyticsPipeline(settings, { scheduler: clock })).subscribe({
    next: (out) => all.push(out),
    error: (err: unknown) => {
      failure = err;
    },
    complete: () => {
      completed = true;
    },
  });
  const perRecord: PipelineOutput[][] = [];
  try {
    records.forEach((r, i) => {
      interlude(i, input, clock);
      const before = all.length;
      input.next({ kind: 'record', partition: 0, offset: r.offset, value: r.value });
      perRecord.push(all.slice(before));
    });
    interlude(records.length, input, clock);
    const before = all.length;
    input.complete();
    if (failure !== undefined) throw failure;
    expect(completed, 'the pipeline completes with its input').to.equal(true);
    return { perRecord, atEnd: all.slice(before), all };
  } finally {
    subscription.unsubscribe();
  }
}

/** Lets `ms` of processing time pass on the virtual clock, running the timers due. */
function advance(clock: VirtualTimeScheduler, ms: number): void {
  const target = clock.frame + ms;
  clock.maxFrames = target;
  clock.flush();
  clock.frame = target;
}

/** The reference words a velocity span only at 1 minute (see velocityReason): other spans are masked. */
function comparable(message: object, settings: AnalyticsSettings): string {
  const m = message as Record<string, unknown>;
  const masked = m.rule === 'velocity' && settings.velocityWindowMs !== 60_000 ? { ...m, reason: '<velocity reason>' } : m;
  return JSON.stringify(masked);
}

/** One output as a string: the message's JSON, or a dead letter's reason and offset. */
const keyOfPipeline = (out: PipelineOutput, s: AnalyticsSettings): string =>
  out.kind === 'analytics' ? comparable(out.message, s) : `dead-letter ${out.reason} @${out.source.offset}`;
const keyOfReference = (out: RefOutput, s: AnalyticsSettings): string =>
  out.kind === 'analytics' ? comparable(out.message, s) : `dead-letter ${out.reason} @${out.offset}`;

/** What one side has that the other lacks, counting repeats. */
function multisetDiff(expected: readonly string[], actual: readonly string[]): { missing: string[]; unexpected: string[] } {
  const left = [...actual];
  const missing: string[] = [];
  for (const e of expected) {
    const at = left.indexOf(e);
    if (at < 0) missing.push(e);
    else left.splice(at, 1);
  }
  return { missing, unexpected: left };
}

/** Fails, showing what is missing and what is unexpected, unless both hold the same outputs. */
function expectSameOutputs(expected: readonly string[], actual: readonly string[], label: string): void {
  const diff = multisetDiff(expected, actual);
  const shown = (xs: string[]): string => (xs.length === 0 ? ' none' : xs.map((x) => `\n    ${x}`).join(''));
  expect(diff, `${label}:\n  missing (in the reference only):${shown(diff.missing)}\n  unexpected (from the pipeline only):${shown(diff.unexpected)}\n`).to.deep.equal({ missing: [], unexpected: [] });
}

/** The full replay output, detail and raw included, to compare two runs byte for byte. */
const transcript = (run: PipelineRun): string[] =>
  run.all.map((out) =>
    out.kind === 'analytics'
      ? analyticsJson(out.message)
      : JSON.stringify([out.reason, out.detail, out.source, out.raw instanceof Uint8Array ? Buffer.from(out.raw).toString('base64') : out.raw]),
  );

/** Which step of semantics §2 emits an output: 1 decode, 2 high_amount, 3 late, 5 firing. */
function stepOf(out: PipelineOutput): number {
  if (out.kind === 'dead-letter') return out.reason === 'late' ? 3 : 1;
  return out.message.type === 'fraud_alert' && out.message.rule === 'high_amount' ? 2 : 5;
}

const FIELD_ORDER: Record<string, readonly string[]> = {
  hourly_sales: ['type', 'window_start', 'window_end', 'order_count', 'total_sales', 'average_order_value'],
  customer_stats: ['type', 'window_start', 'window_end', 'customer_id', 'orders', 'total_spent'],
  high_amount: ['type', 'rule', 'customer_id', 'reason', 'order_id', 'amount', 'timestamp'],
  velocity: ['type', 'rule', 'customer_id', 'reason', 'order_id', 'order_count', 'timestamp'],
};
const kindOf = (m: { type: string; rule?: string }): string => (m.type === 'fraud_alert' ? (m.rule ?? '?') : m.type);

// ---------------------------------------------------------------------------------------------- arbitraries

/** Short printing of a case: the settings and the lines, not megabytes of padding. */
const show = (settings: AnalyticsSettings, records: readonly RefRecord[]): string => {
  const line = (v: RefRecord['value']): string => {
    if (v === null) return 'null (tombstone)';
    const text = typeof v === 'string' ? JSON.stringify(v) : `bytes ${Buffer.from(v).toString('hex')}`;
    return text.length > 300 ? `${text.slice(0, 200)}…(${text.length} chars)` : text;
  };
  return `\nsettings ${JSON.stringify(settings)}\n${records.map((r) => `  line ${r.offset}: ${line(r.value)}`).join('\n')}\n`;
};

/** A random recording and its settings; fast-check prints a counterexample with `show`. */
const caseOf = (amount: fc.Arbitrary<number>) =>
  fc.tuple(settingsArb, recordingPlanArb(60, amount)).map(([settings, plan]) => {
    const records = recordsOf(plan, settings);
    return { settings, records, [fc.toStringMethod]: () => show(settings, records) };
  });
const caseArb = caseOf(amountArb);

// ---------------------------------------------------------------------------------------------- specs

describe('analyticsPipeline against the batch reference (properties)', () => {
  it('gives the reference analytics (as JSON) and dead letters (reason, offset), the same order on every run', () => {
    fc.assert(
      fc.property(caseArb, ({ settings, records }) => {
        const ref = batchAnalytics(settings, records);
        const expected = [...ref.perRecord.flat(), ...ref.atEnd].map((o) => keyOfReference(o, settings));
        const first = runPipeline(settings, records);
        const actual = first.all.map((o) => keyOfPipeline(o, settings));
        expectSameOutputs(expected, actual, 'outputs');
        expect(transcript(runPipeline(settings, records)), 'a replay is deterministic').to.deep.equal(transcript(first));
      }),
      params,
    );
  });

  it('prints money past 2^53 cents as the number nearest the exact total rounded to the cent', () => {
    // Only money can differ here: past 2^53 cents a double cannot hold every cent, and semantics §5's "printed
    // rounded to the cent" can at best be the double nearest that decimal (what JSON.parse gives for it).
    fc.assert(
      fc.property(caseOf(hugeAmountArb), ({ settings, records }) => {
        const ref = batchAnalytics(settings, records);
        const expected = [...ref.perRecord.flat(), ...ref.atEnd].map((o) => keyOfReference(o, settings));
        const actual = runPipeline(settings, records).all.map((o) => keyOfPipeline(o, settings));
        expectSameOutputs(expected, actual, 'outputs');
      }),
      { ...params, numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it("emits each record's results while processing it, in the step order of semantics §2, and the rest at the end", () => {
    fc.assert(
      fc.property(caseArb, ({ settings, records }) => {
        const ref = batchAnalytics(settings, records);
        const run = runPipeline(settings, records);
        records.forEach((r, i) => {
          const expected = (ref.perRecord[i] ?? []).map((o) => keyOfReference(o, settings));
          const actual = (run.perRecord[i] ?? []).map((o) => keyOfPipeline(o, settings));
          expectSameOutputs(expected, actual, `outputs while processing line ${r.offset}`);
          const steps = (run.perRecord[i] ?? []).map(stepOf);
          expect(steps, `steps of offset ${r.offset}`).to.deep.equal([...steps].sort((a, b) => a - b));
        });
        expectSameOutputs(ref.atEnd.map((o) => keyOfReference(o, settings)), run.atEnd.map((o) => keyOfPipeline(o, settings)), 'outputs at the end of the input');
      }),
      params,
    );
  });

  it("writes every message's fields in the order of semantics §5", () => {
    fc.assert(
      fc.property(caseArb, ({ settings, records }) => {
        for (const out of runPipeline(settings, records).all) {
          if (out.kind !== 'analytics') continue;
          const json = analyticsJson(out.message);
          const kind = kindOf(out.message);
          expect(Object.keys(JSON.parse(json) as object), json).to.deep.equal(FIELD_ORDER[kind]);
          expect(json, 'the wire form is the message as built').to.equal(JSON.stringify(out.message));
          const m = out.message;
          const money = m.type === 'hourly_sales' ? [m.total_sales, m.average_order_value] : m.type === 'customer_stats' ? [m.total_spent] : [];
          for (const x of money) expect(JSON.stringify(x), `${json}: money to the cent`).to.match(/^\d+(\.\d{1,2})?$|e\+/);
          if (m.type !== 'fraud_alert') {
            for (const time of [m.window_start, m.window_end]) expect(time, json).to.match(/^(\d{4}|[+]\d{6})-\d\d-\d\dT\d\d:\d\d:\d\d$/);
          }
        }
      }),
      params,
    );
  });

  it('accounts for every record: windows + late = valid orders, one alert per high amount, one velocity alert per span', () => {
    fc.assert(
      fc.property(caseArb, ({ settings, records }) => {
        const run = runPipeline(settings, records);
        const messages = run.all.flatMap((o) => (o.kind === 'analytics' ? [o.message] : []));
        const letters = run.all.flatMap((o) => (o.kind === 'dead-letter' ? [o] : []));
        const valid = records.flatMap((r) => {
          const d = decodeRecord(r.value);
          return typeof d === 'object' ? [d] : [];
        });
        const context = 'accounting';

        // every record is an order or exactly one decode dead letter; a late order has one `late` letter
        const decodeLetters = letters.filter((l) => l.reason !== 'late');
        expect(decodeLetters.length + valid.length, context).to.equal(records.length);
        const offsets = letters.map((l) => `${l.reason === 'late' ? 'late' : 'decode'}@${l.source.offset}`);
        expect(new Set(offsets).size, context).to.equal(offsets.length);

        // each valid order is counted once: in one hourly_sales window, or late
        let hourlyCount = 0;
        const perWindow = new Map<string, number>();
        for (const m of messages) {
          if (m.type === 'hourly_sales') {
            hourlyCount += m.order_count;
            expect(perWindow.has(m.window_start), `window ${m.window_start} fired twice`).to.equal(false);
            perWindow.set(m.window_start, m.order_count);
            // the printed times drop the milliseconds: whole seconds only
            if (settings.windowSizeMs % 1_000 === 0) {
              expect(Date.parse(`${m.window_end}Z`) - Date.parse(`${m.window_start}Z`), context).to.equal(settings.windowSizeMs);
            }
          }
        }
        const late = letters.filter((l) => l.reason === 'late').length;
        expect(hourlyCount + late, context).to.equal(valid.length);

        // customer_stats of a window add up to its hourly_sales, one per customer
        const byWindow = new Map<string, { orders: number; customers: Set<string> }>();
        for (const m of messages) {
          if (m.type !== 'customer_stats') continue;
          const w = byWindow.get(m.window_start) ?? { orders: 0, customers: new Set<string>() };
          expect(w.customers.has(m.customer_id), `${m.customer_id} twice in ${m.window_start}`).to.equal(false);
          w.customers.add(m.customer_id);
          w.orders += m.orders;
          byWindow.set(m.window_start, w);
        }
        expect([...byWindow].map(([k, w]) => [k, w.orders]).sort(), context).to.deep.equal([...perWindow].sort());

        // every order over the threshold alerts exactly once, late or not
        const high = messages.flatMap((m) => (m.type === 'fraud_alert' && m.rule === 'high_amount' ? [`${m.order_id}|${m.amount}|${m.timestamp}|${m.customer_id}`] : []));
        const over = valid.filter((o) => o.amount > settings.highAmountThreshold).map((o) => `${o.orderId}|${o.amount}|${o.timestamp}|${o.customerId}`);
        expectSameOutputs(over, high, context);

        // velocity alerts: over the limit, and never two of one customer within one span
        const velocity = messages.flatMap((m) => (m.type === 'fraud_alert' && m.rule === 'velocity' ? [m] : []));
        for (const a of velocity) {
          expect(a.order_count, context).to.be.greaterThan(settings.velocityMaxOrders);
          const close = velocity.filter((b) => b !== a && b.customer_id === a.customer_id && Math.abs(b.timestamp - a.timestamp) < settings.velocityWindowMs);
          expect(close, 'two velocity alerts within one span').to.deep.equal([]);
        }
      }),
      params,
    );
  });

  it('gives the same results whatever partition statuses come between the records of its only partition', () => {
    const statusArb = fc.array(fc.tuple(fc.nat(70), fc.boolean()), { maxLength: 8 });
    fc.assert(
      fc.property(caseArb, statusArb, ({ settings, records }, statuses) => {
        const at = new Map(statuses.map(([i, idle]) => [i % (records.length + 1), idle] as const));
        const plain = runPipeline(settings, records).all.map((o) => keyOfPipeline(o, settings));
        const withStatus = runPipeline(settings, records, (i, input) => {
          const idle = at.get(i);
          if (idle !== undefined) input.next({ kind: 'partition-status', partition: 0, idle });
        }).all.map((o) => keyOfPipeline(o, settings));
        expect(withStatus, `with statuses ${JSON.stringify([...at])}`).to.deep.equal(plain);
      }),
      { ...params, numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it('gives the same results when its only partition goes idle between records (semantics §2: the watermark holds)', () => {
    const pausesArb = fc.array(fc.tuple(fc.nat(70), fc.constantFrom(1, 999, 1_000, 1_001, 5_000, 100_000)), { maxLength: 10 });
    fc.assert(
      fc.property(caseArb, pausesArb, ({ settings, records }, pauses) => {
        const s = { ...settings, idleTimeoutMs: 1_000 };
        const at = new Map(pauses.map(([i, ms]) => [i % (records.length + 1), ms] as const));
        const plain = runPipeline(s, records).all.map((o) => keyOfPipeline(o, s));
        const paused = runPipeline(s, records, (i, _input, clock) => {
          const ms = at.get(i);
          if (ms !== undefined) advance(clock, ms);
        }).all.map((o) => keyOfPipeline(o, s));
        expect(paused, `with pauses ${JSON.stringify([...at])}`).to.deep.equal(plain);
      }),
      { ...params, numRuns: Math.ceil(RUNS / 2) },
    );
  });
});

// ---------------------------------------------------------------------------------------------- files

/** Blank lines (skipped) and lines that only look blank (not JSON). */
const blankLineArb = fc.constantFrom('', ' ', '\t', ' \t  ', '\r', '\t\r', '\f', '\u00a0', '\r\r');

/** A recorded file: the records of a case as lines, with \r\n or \n, blank lines between, any ending. */
const fileCaseArb = fc
  .tuple(
    caseArb,
    fc.array(fc.boolean(), { maxLength: 60 }),
    fc.array(fc.tuple(fc.nat(60), blankLineArb), { maxLength: 8 }),
    fc.constantFrom('\n', '\r\n', '', '\r', ' '),
    fc.boolean(),
  )
  .map(([{ settings, records }, crlf, blanks, ending, gzip]) => {
    const lines: Uint8Array[] = [];
    records.forEach((r, i) => {
      for (const [at, blank] of blanks) if (at % (records.length + 1) === i) lines.push(Buffer.from(blank));
      if (r.value === null) return; // a tombstone has no line
      // a file's line cannot hold a \n: JSON reads a space the same
      const bytes = Buffer.from(typeof r.value === 'string' ? Buffer.from(r.value) : r.value).map((b) => (b === 0x0a ? 0x20 : b));
      lines.push(bytes);
    });
    for (const [at, blank] of blanks) if (at % (records.length + 1) === records.length) lines.push(Buffer.from(blank));
    const parts: Buffer[] = [];
    lines.forEach((line, i) => {
      parts.push(Buffer.from(line));
      if (i < lines.length - 1) parts.push(Buffer.from(crlf[i] === true ? '\r\n' : '\n'));
      else parts.push(Buffer.from(ending));
    });
    const file = Buffer.concat(parts);
    const describe = (): string =>
      `\nsettings ${JSON.stringify(settings)} gzip ${gzip}\nfile ${JSON.stringify(file.length > 4_000 ? `${file.toString('latin1', 0, 2_000)}…` : file.toString('latin1'))}\n`;
    return { settings, file: new Uint8Array(file), gzip, [fc.toStringMethod]: describe };
  });

describe('replay of a recorded file against the batch reference (property)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pipeline-property-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the reference analytics, and dead letters with their line number and the line as read', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fileCaseArb, async ({ settings, file, gzip }) => {
        run += 1;
        const path = join(dir, `recording-${run}.jsonl${gzip ? '.gz' : ''}`);
        writeFileSync(path, gzip ? gzipSync(file) : file);
        const out = join(dir, `analytics-${run}.jsonl`);
        const dead = join(dir, `dead-${run}.jsonl`);
        const summary = await replay({ file: path, settings, analytics: LineWriter.toFile(out), deadLetters: LineWriter.toFile(dead) });
        const linesOf = (p: string): string[] => readFileSync(p, 'utf8').split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);

        const records = recordingLines(file);
        const ref = batchAnalytics(settings, records);
        const expected = [...ref.perRecord.flat(), ...ref.atEnd].map((o) => keyOfReference(o, settings));
        const letters = linesOf(dead).map((l) => JSON.parse(l) as { reason: string; detail: string; line: number; raw: string | null; raw_base64?: string });
        const actual = [
          ...linesOf(out).map((l) => comparable(JSON.parse(l) as object, settings)),
          ...letters.map((d) => `dead-letter ${d.reason} @${d.line}`),
        ];
        expectSameOutputs(expected, actual, 'outputs');

        for (const d of letters) {
          expect(Object.keys(d).slice(0, 4), 'dead letter fields').to.deep.equal(['reason', 'detail', 'line', 'raw']);
          const line = records.find((r) => r.offset === d.line)?.value as Uint8Array;
          const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(line);
          const utf8 = Buffer.from(text).equals(Buffer.from(line));
          expect(d.raw, `raw of line ${d.line}`).to.equal(text);
          if (!utf8) expect(d.raw_base64, `raw_base64 of line ${d.line}`).to.equal(Buffer.from(line).toString('base64'));
        }
        const valid = records.filter((r) => typeof decodeRecord(r.value) === 'object').length;
        expect({ records: summary.records, orders: summary.orders }, 'summary').to.deep.equal({ records: records.length, orders: valid });
      }),
      { ...params, numRuns: Math.ceil(RUNS / 4) },
    );
  });
});

// ---------------------------------------------------------------------------------------------- examples

describe('analyticsPipeline and the batch reference on the examples of docs/semantics.md', () => {
  const s = DEFAULT_ANALYTICS_SETTINGS;
  const H = 1_717_200_000_000; // 2024-06-01T00:00:00Z
  const line = (orderId: string, customerId: string, amount: number | string, timestamp: number | string): string =>
    `{"orderId":"${orderId}","customerId":"${customerId}","amount":${amount},"timestamp":${timestamp},"items":[]}`;
  const recs = (...values: (string | Uint8Array | null)[]): RefRecord[] => values.map((value, i) => ({ offset: i + 1, value }));
  /** Both sides' outputs as keys: [reference, pipeline]. */
  const both = (settings: AnalyticsSettings, records: RefRecord[]): [string[], string[]] => {
    const ref = batchAnalytics(settings, records);
    return [
      [...ref.perRecord.flat(), ...ref.atEnd].map((o) => keyOfReference(o, settings)).sort(),
      runPipeline(settings, records).all.map((o) => keyOfPipeline(o, settings)).sort(),
    ];
  };

  it('rounds money half away from zero after an exact sum (reference arithmetic)', () => {
    expect(centsToNumber(roundedCents(exactSum([300.1, 300.2, 300.1, 350.1]), 4n))).to.equal(312.63);
    expect(centsToNumber(roundedCents(exactSum([1, 1.01]), 2n))).to.equal(1.01);
    expect(centsToNumber(roundedCents(exactSum([0.005, 0.005, 0.005])))).to.equal(0.02);
    expect(centsToNumber(roundedCents(exactSum([1.0049])))).to.equal(1);
    expect(centsToNumber(roundedCents(exactSum([1e-7, 2.675])))).to.equal(2.68);
  });

  it('prints four orders of one hour totalling 1250.50 exactly as semantics §5 does', () => {
    const records = recs(line('a', 'c', 300.1, H), line('b', 'c', 300.2, H + 1), line('c', 'c', 300.1, H + 2), line('d', 'c', 350.1, H + 3));
    const hourly = runPipeline(s, records).all.flatMap((o) => (o.kind === 'analytics' && o.message.type === 'hourly_sales' ? [analyticsJson(o.message)] : []));
    const expected = '{"type":"hourly_sales","window_start":"2024-06-01T00:00:00","window_end":"2024-06-01T01:00:00","order_count":4,"total_sales":1250.5,"average_order_value":312.63}';
    expect(hourly).to.deep.equal([expected]);
    const [ref, actual] = both(s, records);
    expect(actual).to.deep.equal(ref);
  });

  it('gives 1.01 as the average of two orders totalling 2.01', () => {
    const [ref, actual] = both(s, recs(line('a', 'c', 1, H), line('b', 'c', 1.01, H)));
    expect(ref.some((k) => k.includes('"average_order_value":1.01'))).to.equal(true);
    expect(actual).to.deep.equal(ref);
  });

  it('prints 45035996273704.96 + 45035996273704.97 as the double nearest 90071992547409.93', () => {
    // 9007199254740993 cents is past 2^53: the nearest double to the dollars is 90071992547409.9375
    // (printed 90071992547409.94); Number(cents) / 100 rounds twice and gives 90071992547409.921875.
    const records = recs(line('a', 'c', '45035996273704.96', H), line('b', 'c', '45035996273704.97', H));
    const totals = runPipeline(s, records).all.flatMap((o) => (o.kind === 'analytics' && o.message.type === 'hourly_sales' ? [o.message.total_sales] : []));
    expect(totals).to.deep.equal([Number('90071992547409.93')]);
    const [ref, actual] = both(s, records);
    expect(actual).to.deep.equal(ref);
  });

  it('prints the total of one order of 1e21 as 1e+21, the amount itself', () => {
    const records = recs(line('a', 'c', '1e21', H));
    const totals = runPipeline(s, records).all.flatMap((o) => (o.kind === 'analytics' && o.message.type === 'hourly_sales' ? [analyticsJson(o.message)] : []));
    expect(totals).to.deep.equal([
      '{"type":"hourly_sales","window_start":"2024-06-01T00:00:00","window_end":"2024-06-01T01:00:00","order_count":1,"total_sales":1e+21,"average_order_value":1e+21}',
    ]);
  });

  it('alerts on the sixth of six orders with one timestamp, with the wording of semantics §5', () => {
    const records = recs(...[1, 2, 3, 4, 5, 6].map((i) => line(`o${i}`, 'c', 10, H)));
    const alerts = runPipeline(s, records).all.flatMap((o) => (o.kind === 'analytics' && o.message.type === 'fraud_alert' ? [analyticsJson(o.message)] : []));
    expect(alerts).to.deep.equal([
      `{"type":"fraud_alert","rule":"velocity","customer_id":"c","reason":"More than 5 orders within 1 minute","order_id":"o6","order_count":6,"timestamp":${H}}`,
    ]);
    const [ref, actual] = both(s, records);
    expect(actual).to.deep.equal(ref);
  });

  it('catches a burst straddling a minute boundary, and raises one alert per span, not per order', () => {
    const times = [50_000, 55_000, 60_000, 65_000, 70_000, 75_000, 80_000, 85_000, 140_000];
    const records = recs(...times.map((t, i) => line(`o${i}`, 'c', 1, H + t)));
    const [ref, actual] = both(s, records);
    expect(ref.filter((k) => k.includes('"rule":"velocity"'))).to.have.length(1);
    expect(actual).to.deep.equal(ref);
  });

  it('alerts on amounts strictly over the threshold, late or not, with the wording of semantics §5', () => {
    const records = recs(line('a', 'c', 1000, H + 10_000_000), line('b', 'c', 1000.01, H + 10_000_000), line('late', 'c', 1000.001, H));
    const [ref, actual] = both(s, records);
    expect(ref).to.include(`{"type":"fraud_alert","rule":"high_amount","customer_id":"c","reason":"Order amount > $1000","order_id":"late","amount":1000.001,"timestamp":${H}}`);
    expect(ref).to.include('dead-letter late @3');
    expect(actual).to.deep.equal(ref);
  });

  it('takes a record of exactly 1 MiB and sets aside one byte more as too_large', () => {
    const base = line('a', 'c', 1, H);
    const padded = (bytes: number, char: string) => `${base.slice(0, -1)},"pad":"${char.repeat((bytes - Buffer.byteLength(`${base.slice(0, -1)},"pad":""}`)) / Buffer.byteLength(char))}"}`;
    const exact = padded(MAX_BYTES, 'x');
    const over = padded(MAX_BYTES + 1, 'x');
    const multibyte = padded(MAX_BYTES + 1 + ((MAX_BYTES + 1 - Buffer.byteLength(`${base.slice(0, -1)},"pad":""}`)) % 2), 'é');
    expect([exact, over].map((l) => Buffer.byteLength(l))).to.deep.equal([MAX_BYTES, MAX_BYTES + 1]);
    expect(multibyte.length).to.be.lessThan(MAX_BYTES);
    const [ref, actual] = both(s, recs(exact, over, multibyte, Buffer.from(over)));
    expect(ref.filter((k) => k.startsWith('dead-letter'))).to.deep.equal(['dead-letter too_large @2', 'dead-letter too_large @3', 'dead-letter too_large @4']);
    expect(actual).to.deep.equal(ref);
  });

  it('reads 1717200000000.0 as an integer timestamp and rejects fractions, strings and years past 9999', () => {
    const records = recs(
      line('a', 'c', 1, `${H}.0`),
      line('b', 'c', 1, `${H}.5`),
      line('c', 'c', 1, `"${H}"`),
      line('d', 'c', 1, 253_402_300_799_999),
      line('e', 'c', 1, 253_402_300_800_000),
      line('f', 'c', '1e400', H),
      line('g', 'c', -0, 0),
      null,
      '',
      Uint8Array.from([0x7b, 0xff, 0x7d]),
    );
    const [ref, actual] = both(s, records);
    expect(ref.filter((k) => k.startsWith('dead-letter'))).to.deep.equal([
      'dead-letter invalid @2',
      'dead-letter invalid @3',
      'dead-letter invalid @5',
      'dead-letter invalid @6',
      'dead-letter late @7', // timestamp 0, after one at the end of 9999
      'dead-letter not_json @10',
      'dead-letter not_json @8',
      'dead-letter not_json @9',
    ]);
    expect(ref).to.include('{"type":"hourly_sales","window_start":"9999-12-31T23:00:00","window_end":"+010000-01-01T00:00:00","order_count":1,"total_sales":1,"average_order_value":1}');
    expect(actual).to.deep.equal(ref);
  });
});
