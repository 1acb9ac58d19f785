/**
 * Folds a window's records one at a time (Flink's `AggregateFunction`), so that a window holds one small
 * accumulator instead of its records.
 */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  /** Adds a record; may change `accumulator` in place and return it. */
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
}
