/** `2024-06-01T00:00:00`: UTC, ISO 8601 without fraction or zone, as the analytics messages print times. */
export function formatWindowTime(epochMillis: number): string {
  // toISOString() gives `+010000-01-01T00:00:00.000Z` past 9999; cutting the tail keeps that readable too.
  return new Date(epochMillis).toISOString().replace(/\.\d{3}Z$/, '');
}

/** `1 minute`, `90 seconds`, `2 hours`: a span as it reads in an alert's reason. */
export function formatSpan(ms: number): string {
  const units: ReadonlyArray<readonly [string, number]> = [
    ['hour', 3_600_000],
    ['minute', 60_000],
    ['second', 1_000],
    ['millisecond', 1],
  ];
  for (const [name, size] of units) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${ms} milliseconds`;
}

/**
 * `formatWindowTime` of a window's start and end, remembered for the last window asked: a window fires
 * one result per customer, and formatting a date is far dearer than the rest of a result.
 */
export function windowLabels(): (window: { readonly start: number; readonly end: number }) => { readonly start: string; readonly end: string } {
  let lastStart = NaN;
  let lastEnd = NaN;
  let labels = { start: '', end: '' };
  return (window) => {
    if (window.start !== lastStart || window.end !== lastEnd) {
      lastStart = window.start;
      lastEnd = window.end;
      labels = { start: formatWindowTime(window.start), end: formatWindowTime(window.end) };
    }
    return labels;
  };
}
