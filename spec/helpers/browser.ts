import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { eventually } from './kafka.js';

/**
 * The Chromium to drive: `CHROMIUM_PATH`, else `chromium` (Debian's package) or `chromium-browser` on
 * PATH. None is a failure, never a skip: the console's tests need a real browser (.ci/run installs it).
 */
export function chromiumPath(): string {
  const override = process.env.CHROMIUM_PATH;
  if (override !== undefined && override !== '') {
    if (!isExecutable(override)) throw new Error(`CHROMIUM_PATH=${override}: not an executable file`);
    return override;
  }
  for (const dir of (process.env.PATH ?? '').split(':').filter((d) => d !== '')) {
    for (const name of ['chromium', 'chromium-browser']) {
      if (isExecutable(join(dir, name))) return join(dir, name);
    }
  }
  throw new Error('no Chromium for the browser tests: install it (apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Headless Chromium through playwright-core, which brings no browser of its own. */
export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/**
 * A page whose console errors and uncaught exceptions are kept, with waits that, when they fail, say
 * what the page showed: its text, what it logged, and a screenshot kept in `outDir`.
 */
export class WatchedPage {
  /** Console errors and warnings, and uncaught exceptions, in order. */
  readonly logged: string[] = [];
  /** Uncaught exceptions of the page's script alone. */
  readonly exceptions: string[] = [];

  constructor(
    readonly page: Page,
    private readonly outDir: string,
  ) {
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') this.logged.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => {
      this.logged.push(`uncaught: ${e.message}`);
      this.exceptions.push(e.message);
    });
  }

  /** A full-page screenshot in the output dir; returns its path. */
  async screenshot(name: string): Promise<string> {
    const path = join(this.outDir, `${name}.png`);
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }

  /** Polls `check` until it passes; on time out, throws with what the page showed. */
  async until<T>(what: string, check: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
    try {
      return await eventually(check, timeoutMs);
    } catch (err) {
      const shot = await this.screenshot(`failed-${what.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch((e: Error) => `(none: ${e.message})`);
      const text = await this.page.innerText('body').catch((e: Error) => `(unreadable: ${e.message})`);
      throw new Error(
        `the page did not show ${what} within ${timeoutMs} ms: ${err instanceof Error ? err.message : String(err)}\n` +
          `screenshot: ${shot}\nlogged by the page:\n${this.logged.join('\n') || '(nothing)'}\npage text:\n${text}`,
      );
    }
  }
}
