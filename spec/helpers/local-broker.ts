import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO, tempDir } from './cli.js';

/**
 * A second real broker of its own, for a test that stops and starts it: the suite's shared broker must
 * stay up for the others. Same jars as the suite's (scripts/kafka/kafka.sh), its own ports and data.
 */
export class LocalBroker {
  private readonly env: NodeJS.ProcessEnv;
  readonly bootstrap: string;

  constructor(port: number) {
    this.env = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(port + 1), KAFKA_DATA_DIR: join(tempDir(), 'kafka') };
    this.bootstrap = `127.0.0.1:${port}`;
  }

  start(): void {
    this.script('start');
  }

  /** Stops the broker (SIGTERM, as a rolling upgrade does); its data stays for the next start. */
  stop(): void {
    this.script('stop');
  }

  /** Stops it and removes its data. */
  clean(): void {
    this.script('clean');
  }

  private script(command: string): void {
    execFileSync('bash', [join(REPO, 'scripts/kafka/kafka.sh'), command], { env: this.env, stdio: ['ignore', 'ignore', 'inherit'] });
  }
}
