import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fixed, table } from './report.js';

/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`) as the functions with the most self time, each
 * with its total time and its place as file:line in the TypeScript source (through the .js.map files
 * next to the compiled code) and its hottest line, then the self time by area: where an optimisation
 * can pay off. V8 may count the lines of an inlined callee among its caller's; such lines are left
 * out where they are recognisable (before the function, or past its file's end).
 *
 *   node dist/bench/profile-summary.js FILE.cpuprofile [--top 15]
 */
interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  /** 0-based, in the generated JavaScript. */
  readonly lineNumber: number;
  readonly columnNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
  /** Samples per line (1-based, generated JavaScript) of this node's own time. */
  readonly positionTicks?: readonly { readonly line: number; readonly ticks: number }[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  /** Microseconds since the sample before. */
  readonly timeDeltas: readonly number[];
}

const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '15' } }, allowPositionals: true });
const [profilePath] = positionals;
if (profilePath === undefined) {
  process.stderr.write('usage: profile-summary.js FILE.cpuprofile [--top N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as CpuProfile;

// One entry per function (the same function appears in many nodes, one per call path).
const keyOf = (f: CallFrame): string => `${f.functionName}|${f.url}|${f.lineNumber}|${f.columnNumber}`;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);

const self = new Map<string, number>();
const total = new Map<string, number>();
const lineTicks = new Map<string, Map<number, number>>();
for (const n of profile.nodes) {
  const lines = lineTicks.get(keyOf(n.callFrame)) ?? new Map<number, number>();
  for (const { line, ticks } of n.positionTicks ?? []) lines.set(line, (lines.get(line) ?? 0) + ticks);
  lineTicks.set(keyOf(n.callFrame), lines);
}
const frames = new Map<string, CallFrame>();
let all = 0;
profile.samples.forEach((id, i) => {
  const us = profile.timeDeltas[i] ?? 0;
  all += us;
  const leaf = byId.get(id);
  if (leaf === undefined) return;
  const key = keyOf(leaf.callFrame);
  self.set(key, (self.get(key) ?? 0) + us);
  // Total time: each function on the stack once, however often it recurs.
  const seen = new Set<string>();
  for (let n: ProfileNode | undefined = leaf; n !== undefined; n = byId.get(parentOf.get(n.id) ?? -1)) {
    const k = keyOf(n.callFrame);
    frames.set(k, n.callFrame);
    if (!seen.has(k)) total.set(k, (total.get(k) ?? 0) + us);
    seen.add(k);
  }
});

const maps = new Map<string, SourceMap | null>();
const sources = new Map<string, string[]>();
/** `lib/io/replay.ts:42`, from the source map when there is one, else the JavaScript's own place. */
function place(f: CallFrame, line = f.lineNumber, column = f.columnNumber): string {
  if (!f.url.startsWith('file://')) return f.url === '' ? '' : `${f.url}:${line + 1}`;
  const js = fileURLToPath(f.url);
  if (!maps.has(js)) {
    const mapFile = `${js}.map`;
    maps.set(js, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapPayload) : null);
  }
  const entry = maps.get(js)?.findEntry(line, column);
  if (entry && 'originalSource' in entry) {
    const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(js), entry.originalSource);
    return `${shortPath(source)}:${entry.originalLine + 1}`;
  }
  return `${shortPath(js)}:${line + 1}`;
}

/** Relative to here; a library from `node_modules/` on, wherever that folder is (it may be a link). */
function shortPath(path: string): string {
  const inPackage = path.lastIndexOf('/node_modules/');
  return inPackage >= 0 ? path.slice(inPackage + 1) : relative(process.cwd(), path);
}

/** The line with most of the function's own samples and its share, e.g. `lib/model/x.ts:44 (96%)`. */
function hotLine(key: string, f: CallFrame): string {
  if (!f.url.startsWith('file://')) return '';
  const js = fileURLToPath(f.url);
  if (!sources.has(js)) sources.set(js, readFileSync(js, 'utf8').split('\n'));
  const text = sources.get(js) ?? [];
  // Lines before the function or past the end of its file belong to inlined callees of other places.
  const own = (line: number): boolean => line > f.lineNumber && line <= text.length;
  const lines = [...(lineTicks.get(key) ?? new Map<number, number>()).entries()].filter(([line]) => own(line)).sort((a, b) => b[1] - a[1]);
  const [best] = lines;
  if (best === undefined) return '';
  const all = lines.reduce((sum, [, ticks]) => sum + ticks, 0);
  // Map the line's first token: column 0 may lie before any mapping of the line.
  const code = text[best[0] - 1] ?? '';
  return `${place(f, best[0] - 1, code.length - code.trimStart().length)} (${fixed((100 * best[1]) / all, 0)}%)`;
}

/** Our code by file, libraries by package, the rest by kind. */
function area(f: CallFrame): string {
  if (f.url === '') return f.functionName.startsWith('(') ? f.functionName : '(native: V8 builtins)';
  if (f.url.startsWith('node:')) return '(node internals)';
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f.url);
  if (pkg) return pkg[1] as string;
  return place(f).replace(/:\d+$/, '');
}

const ms = (us: number): string => fixed(us / 1000, 0);
const pct = (us: number): string => `${fixed((100 * us) / all)}%`;
const top = Number(values.top);
const hottest = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
console.log(`${profilePath}: ${fixed(all / 1e6, 2)} s sampled, ${profile.samples.length} samples\n`);
console.log(`top ${top} by self time:`);
console.log(table([
  ['  #', 'self ms', 'self', 'total', 'function', 'defined at', 'hottest line'],
  ...hottest.map(([key, us], i) => {
    const f = frames.get(key) as CallFrame;
    return [`  ${i + 1}`, ms(us), pct(us), pct(total.get(key) ?? 0), f.functionName || '(anonymous)', place(f), hotLine(key, f)];
  }),
], [0, 4, 5, 6]));

const areas = new Map<string, number>();
for (const [key, us] of self) {
  const a = area(frames.get(key) as CallFrame);
  areas.set(a, (areas.get(a) ?? 0) + us);
}
console.log('\nself time by area:');
console.log(table([...areas.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([a, us]) => [`  ${a}`, ms(us) + ' ms', pct(us)])));
