import { expect } from 'chai';
import fc from 'fast-check';
import { Subject, VirtualTimeScheduler } from 'rxjs';
import { analyticsPipeline, type PipelineOutput } from '../../lib/analytics/pipeline.js';
import type { AnalyticsSettings } from '../../lib/analytics/settings.js';
import { analyticsJson } from '../../lib/io/serialize.js';
import type { SourceEvent } from '../../lib/model/source.js';
import type { RefRecord } from '../reference/batch-analytics.js';
import { recordingPlanArb, recordsOf, settingsArb } from '../reference/order-generators.js';

const SEED = process.env.FC_SEED === undefined ? 20_241_205 : Number(process.env.FC_SEED);
const RUNS = process.env.FC_RUNS === undefined ? 150 : Number(process.env.FC_RUNS);

/** How a source hands three partitions over: which partition's batch comes next, and how many records it holds. */
type Fetches = ReadonlyArray<{ readonly pick: number; readonly size: number }>;
const fetchesArb: fc.Arbitrary<Fetches> = fc.array(fc.record({ pick: fc.nat(), size: fc.integer({ min: 1, max: 12 }) }), { maxLength: 40 });

/**
 * Feeds three partitions as a Kafka source would: every partition first said to have records to read (or
 * to be caught up, when empty), then batches of one partition at a time in the order `fetches` gives,
 * each followed by the broker's word on that partition; before each batch, the partitions already caught
 * up are doubted and then confirmed, as the source does. Returns the results, as text, sorted.
 */
function resultsOf(settings: AnalyticsSettings, partitions: readonly (readonly RefRecord[])[], fetches: Fetches, complete: boolean): string[] {
  const input = new Subject<SourceEvent>();
  const out: PipelineOutput[] = [];
  const subscription = input.pipe(analyticsPipeline(settings, { scheduler: new VirtualTimeScheduler() })).subscribe((o) => out.push(o));
  const next = partitions.map(() => 0);
  const word = (partition: number, caughtUp: boolean) => input.next({ kind: 'partition-status', partition, idle: caughtUp });
  partitions.forEach((records, p) => word(p, records.length === 0));
  const remaining = () => partitions.map((records, p) => p).filter((p) => next[p]! < partitions[p]!.length);
  const batch = (p: number, size: number) => {
    const caughtUp = partitions.map((_, q) => q).filter((q) => q !== p && next[q]! >= partitions[q]!.length);
    for (const q of caughtUp) word(q, false);
    const records = partitions[p]!;
    const end = Math.min(records.length, next[p]! + size);
    for (; next[p]! < end; next[p]! += 1) input.next({ kind: 'record', partition: p, offset: records[next[p]!]!.offset, value: records[next[p]!]!.value });
    for (const q of caughtUp) word(q, true);
    word(p, next[p]! >= records.length);
  };
  for (const { pick, size } of fetches) {
    const left = remaining();
    if (left.length > 0) batch(left[pick % left.length]!, size);
  }
  for (let left = remaining(); left.length > 0; left = remaining()) batch(left[0]!, 1_000);
  if (complete) input.complete();
  subscription.unsubscribe();
  return out
    .map((o) => (o.kind === 'analytics' ? analyticsJson(o.message) : `${o.reason}|${o.source.partition}|${o.source.offset}`))
    .sort();
}

describe('analyticsPipeline over several partitions, fed as a Kafka source feeds it', () => {
  it('gives the same results however the partitions\' batches are cut and ordered (open windows stay open; at the end, all fire)', () => {
    fc.assert(
      fc.property(
        settingsArb,
        fc.array(recordingPlanArb(25), { minLength: 3, maxLength: 3 }),
        fetchesArb,
        fetchesArb,
        (settings, plans, first, second) => {
          const partitions = plans.map((plan) => recordsOf(plan, settings));
          for (const complete of [false, true]) {
            expect(resultsOf(settings, partitions, first, complete), complete ? 'completed' : 'open').to.deep.equal(resultsOf(settings, partitions, second, complete));
          }
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: false },
    );
  });
});
