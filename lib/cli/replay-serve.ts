import { consoleRoutes } from '../console/console-routes.js';
import { ConsoleState } from '../console/console-state.js';
import { ReplayStatus } from '../console/console-status.js';
import { recordingName } from '../io/recording-source.js';
import type { Config } from '../service/config.js';
import { startHttpServer, text } from '../service/http-server.js';
import type { PipelineOutput } from '../analytics/pipeline.js';

/** What the console is told by the replay. */
export interface ReplayWatch {
  readonly onRecord: () => void;
  readonly onOutput: (output: PipelineOutput) => void;
}

/**
 * `replay FILE --serve`: the replay as always (same outputs, same summary), with the live console
 * served over it from before the first line is read; once the replay is done the console stays up, so
 * that a recorded file can be looked at, until SIGINT or SIGTERM (exit 0). A replay that fails fails
 * as it would without --serve.
 */
export async function serveReplay(file: string, config: Config, port: number, runReplay: (watch: ReplayWatch) => Promise<number>): Promise<number> {
  const status = new ReplayStatus(recordingName(file));
  const live = new ConsoleState(status.report);
  let http;
  try {
    http = await startHttpServer(port, config.http.host, new Map([...consoleRoutes(live), ['/healthz', () => text(200, 'ok\n')]]));
  } catch (err) {
    process.stderr.write(`stream-processor: --serve: cannot serve HTTP on port ${port}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  live.start();
  const url = `http://${urlHost(config.http.host)}:${http.port}/`;
  process.stderr.write(`stream-processor: console at ${url}\n`);
  try {
    const code = await runReplay({
      onRecord: () => {
        status.onRecords(1);
        live.onRecords(1);
      },
      onOutput: (output) => live.onOutput(output),
    });
    status.onDone();
    // The last partial second and the final state go out now, not at the next tick.
    live.tick();
    process.stderr.write(`stream-processor: replay done; the console stays at ${url} until SIGINT or SIGTERM\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    return code;
  } finally {
    live.close();
    await http.close();
  }
}

/** The host part of the console's URL: where it listens, or localhost when that is every interface. */
function urlHost(host: string): string {
  if (host === '' || host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
