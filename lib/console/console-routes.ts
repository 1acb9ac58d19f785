import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PACKAGE_ROOT } from '../service/config.js';
import type { AnswerRoute, HttpAnswer, StreamRoute } from '../service/http-server.js';
import type { ConsoleState } from './console-state.js';

/** The page's own files, shipped in the package as they are (no build step): lib/console/page/. */
export const PAGE_DIR = join(PACKAGE_ROOT, 'lib/console/page');

/** uPlot's browser files, from the installed npm package (a runtime dependency), served as they are. */
const UPLOT_DIR = dirname(createRequire(import.meta.url).resolve('uplot/package.json'));

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** A file read once, at start: a missing one fails here, not on the first visit. */
function file(path: string): AnswerRoute {
  const answer: HttpAnswer = { status: 200, contentType: TYPES[path.slice(path.lastIndexOf('.') + 1)] ?? 'application/octet-stream', body: readFileSync(path, 'utf8') };
  return () => answer;
}

/**
 * The console's routes: the page at `/`, its script and style, uPlot, and `/events` (server-sent
 * events, see ConsoleState). Everything the page loads comes from here: it works offline.
 */
export function consoleRoutes(state: ConsoleState): Array<[string, AnswerRoute | StreamRoute]> {
  return [
    ['/', file(join(PAGE_DIR, 'index.html'))],
    ['/console.js', file(join(PAGE_DIR, 'console.js'))],
    ['/console.css', file(join(PAGE_DIR, 'console.css'))],
    ['/vendor/uPlot.esm.js', file(join(UPLOT_DIR, 'dist/uPlot.esm.js'))],
    ['/vendor/uPlot.min.css', file(join(UPLOT_DIR, 'dist/uPlot.min.css'))],
    ['/events', { stream: (req, res) => state.hub.connect(req, res) }],
  ];
}
