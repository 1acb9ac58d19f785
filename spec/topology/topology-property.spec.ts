import { expect } from 'chai';
import fc from 'fast-check';
import { Subject, VirtualTimeScheduler, type Observable } from 'rxjs';
import { analyticsPipeline, type PipelineOutput } from '../../lib/analytics/pipeline.js';
import type { AnalyticsSettings } from '../../lib/analytics/settings.js';
import { analyticsJson } from '../../lib/io/serialize.js';
import type { SourceEvent } from '../../lib/model/source.js';
import { tumblingWindows } from '../../lib/operators/window-assigner.js';
import { customerTask, type CustomerTaskOutput } from '../../lib/topology/customer-task.js';
import { hourlyCombiner } from '../../lib/topology/hourly-combiner.js';
import { localTopology } from '../../lib/topology/local-topology.js';
import type { HourlyPartial, RoutedOrder, TaskMark, UpstreamMark } from '../../lib/topology/messages.js';
import { sourceTask, type SourceTaskOutput } from '../../lib/topology/source-task.js';
import type { RefRecord } from '../reference/batch-analytics.js';
import { recordingPlanArb, recordsOf, settingsArb } from '../reference/order-generators.js';

/**
 * The topology against the one-operator pipeline (analyticsPipeline, checked against a batch reference
 * elsewhere): in one process it gives the same outputs in the same order; spread over several customer
 * tasks, with the messages between the tasks delivered in any interleaving an internal topic allows (each
 * sender's messages to one receiver in order), the same results as a set.
 */

const SEED = process.env.FC_SEED === undefined ? 20_261_205 : Number(process.env.FC_SEED);
const RUNS = process.env.FC_RUNS === undefined ? 120 : Number(process.env.FC_RUNS);
const params = { seed: SEED, numRuns: RUNS, endOnFailure: false } as const;

const text = (o: PipelineOutput): string => (o.kind === 'analytics' ? analyticsJson(o.message) : `${o.reason}|${o.source.partition}|${o.source.offset}|${o.detail}`);

/** How a Kafka source hands partitions over: which partition's batch next, and how many records it holds. */
type Fetches = ReadonlyArray<{ readonly pick: number; readonly size: number }>;
const fetchesArb: fc.Arbitrary<Fetches> = fc.array(fc.record({ pick: fc.nat(), size: fc.integer({ min: 1, max: 12 }) }), { maxLength: 40 });

/**
 * The events a Kafka source gives for these partitions, batch by batch (as in partition-order-property):
 * first each partition's word, then batches, each with the other caught-up partitions doubted and
 * confirmed around it and the batch's own partition's word after it.
 */
function kafkaFeed(partitions: readonly (readonly RefRecord[])[], fetches: Fetches): SourceEvent[][] {
  const steps: SourceEvent[][] = [];
  const next = partitions.map(() => 0);
  const word = (partition: number, caughtUp: boolean): SourceEvent => ({ kind: 'partition-status', partition, idle: caughtUp });
  steps.push(partitions.map((records, p) => word(p, records.length === 0)));
  const remaining = () => partitions.map((_, p) => p).filter((p) => next[p]! < partitions[p]!.length);
  const batch = (p: number, size: number) => {
    const step: SourceEvent[] = [];
    const caughtUp = partitions.map((_, q) => q).filter((q) => q !== p && next[q]! >= partitions[q]!.length);
    for (const q of caughtUp) step.push(word(q, false));
    const records = partitions[p]!;
    const end = Math.min(records.length, next[p]! + size);
    for (; next[p]! < end; next[p]! += 1) step.push({ kind: 'record', partition: p, offset: records[next[p]!]!.offset, value: records[next[p]!]!.value });
    for (const q of caughtUp) step.push(word(q, true));
    step.push(word(p, next[p]! >= records.length));
    steps.push(step);
  };
  for (const { pick, size } of fetches) {
    const left = remaining();
    if (left.length > 0) batch(left[pick % left.length]!, size);
  }
  for (let left = remaining(); left.length > 0; left = remaining()) batch(left[0]!, 1_000);
  return steps;
}

function fused(settings: AnalyticsSettings, steps: readonly SourceEvent[][], complete: boolean): string[] {
  const input = new Subject<SourceEvent>();
  const out: string[] = [];
  const subscription = input.pipe(analyticsPipeline(settings, { scheduler: new VirtualTimeScheduler() })).subscribe((o) => out.push(text(o)));
  for (const step of steps) for (const e of step) input.next(e);
  if (complete) input.complete();
  subscription.unsubscribe();
  return out;
}

/** A message on its way between two tasks: an internal topic keeps each sender's messages to one receiver in order. */
type Channel<T> = { readonly queue: T[]; readonly deliver: (m: T) => void };

/**
 * The topology spread out: a source task per input partition, `tasks` customer tasks (each order to its
 * customer's, each mark copied to every task, as the source task addresses them) and one combiner, the messages between them delivered in the
 * interleaving `picks` chooses after each step of the feed.
 */
function spread(settings: AnalyticsSettings, partitions: number, tasks: number, steps: readonly SourceEvent[][], picks: readonly number[], complete: boolean): string[] {
  const out: string[] = [];
  const channels: Array<Channel<unknown>> = [];
  const channel = <T>(deliver: (m: T) => void): Channel<T> => {
    const c = { queue: [] as T[], deliver };
    channels.push(c as Channel<unknown>);
    return c;
  };
  const combinerIn = new Subject<HourlyPartial | TaskMark>();
  const subs = [combinerIn.pipe(hourlyCombiner({ assigner: tumblingWindows(settings.windowSizeMs), tasks })).subscribe((o) => out.push(text(o)))];
  const customerIns = Array.from({ length: tasks }, (_, j) => {
    const input = new Subject<RoutedOrder | UpstreamMark>();
    const toCombiner = channel<HourlyPartial | TaskMark>((m) => combinerIn.next(m));
    const o$: Observable<CustomerTaskOutput> = input.pipe(customerTask(settings, { task: j, inputPartitions: partitions }));
    subs.push(o$.subscribe((o) => (o.kind === 'hourly-partial' || o.kind === 'task-mark' ? toCombiner.queue.push(o) : out.push(text(o)))));
    return input;
  });
  const sourceIns = Array.from({ length: partitions }, () => {
    const input = new Subject<SourceEvent>();
    const toTask = customerIns.map((c) => channel<RoutedOrder | UpstreamMark>((m) => c.next(m)));
    const o$: Observable<SourceTaskOutput> = input.pipe(sourceTask(settings, { destinations: tasks }));
    subs.push(
      o$.subscribe((o) => {
        if (o.kind === 'routed' || o.kind === 'partition-status') toTask[o.destination!]!.queue.push(o);
        else out.push(text(o));
      }),
    );
    return input;
  });
  let pick = 0;
  const deliverSome = (n: number) => {
    for (let i = 0; i < n; i++) {
      const busy = channels.filter((c) => c.queue.length > 0);
      if (busy.length === 0) return;
      const c = busy[(picks[pick++ % Math.max(1, picks.length)] ?? 0) % busy.length]!;
      c.deliver(c.queue.shift());
    }
  };
  const deliverAll = () => {
    for (let busy = channels.filter((c) => c.queue.length > 0); busy.length > 0; busy = channels.filter((c) => c.queue.length > 0)) deliverSome(1);
  };
  for (const step of steps) {
    for (const e of step) sourceIns[e.partition]!.next(e);
    deliverSome(picks[pick % Math.max(1, picks.length)] ?? 0);
  }
  deliverAll();
  if (complete) {
    // The end of a bounded input, stage by stage.
    for (const s of sourceIns) s.complete();
    deliverAll();
    for (const c of customerIns) c.complete();
    deliverAll();
    combinerIn.complete();
  }
  for (const s of subs) s.unsubscribe();
  return out;
}

describe('the topology (source tasks, customer tasks, hourly combiner)', () => {
  it('in one process gives what analyticsPipeline gives, output for output, in the same order', () => {
    fc.assert(
      fc.property(settingsArb, fc.array(recordingPlanArb(25), { minLength: 1, maxLength: 3 }), fetchesArb, (settings, plans, fetches) => {
        const partitions = plans.map((plan) => recordsOf(plan, settings));
        const steps = kafkaFeed(partitions, fetches);
        for (const complete of [false, true]) {
          const input = new Subject<SourceEvent>();
          const out: string[] = [];
          const subscription = input.pipe(localTopology(settings)).subscribe((o) => out.push(text(o)));
          for (const step of steps) for (const e of step) input.next(e);
          if (complete) input.complete();
          subscription.unsubscribe();
          expect(out, complete ? 'completed' : 'open').to.deep.equal(fused(settings, steps, complete));
        }
      }),
      params,
    );
  });

  it('spread over 1 to 4 customer tasks, messages between tasks in any interleaving, gives the same results as one process, partitions in any order and batches of any size', () => {
    fc.assert(
      fc.property(
        settingsArb,
        fc.array(recordingPlanArb(25), { minLength: 1, maxLength: 3 }),
        fetchesArb,
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.nat({ max: 50 }), { maxLength: 60 }),
        (settings, plans, fetches, tasks, picks) => {
          const partitions = plans.map((plan) => recordsOf(plan, settings));
          const steps = kafkaFeed(partitions, fetches);
          for (const complete of [false, true]) {
            const expected = fused(settings, steps, complete).sort();
            expect(spread(settings, partitions.length, tasks, steps, picks, complete).sort(), complete ? 'completed' : 'open').to.deep.equal(expected);
          }
        },
      ),
      params,
    );
  });
});
