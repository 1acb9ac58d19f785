import type { ReplaySummary } from '../io/replay.js';

/** The replay's closing report, for a person on stderr. */
export function formatSummary(file: string, s: ReplaySummary): string {
  const seconds = s.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(s.orders / seconds) : s.orders;
  const list = (counts: Record<string, number>): string =>
    Object.entries(counts)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
  const dead = Object.values(s.deadLetters).reduce((a, b) => a + b, 0);
  return [
    `replayed ${file} in ${seconds.toFixed(2)} s`,
    `  records       ${s.records} (orders ${s.orders}, ${rate} orders/s)`,
    `  dead letters  ${dead} (${list(s.deadLetters)})`,
    `  late          ${s.deadLetters.late}`,
    `  outputs       ${list(s.outputs)}`,
  ].join('\n');
}
