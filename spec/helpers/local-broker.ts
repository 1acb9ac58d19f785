import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, tempDir } from './cli.js';

/**
 * A second real broker of its own, for a test that stops and starts it: the suite's shared broker must
 * stay up for the others. Same jars as the suite's (scripts/kafka/kafka.sh), its own ports and data.
 */
export class LocalBroker {
  private readonly env: NodeJS.ProcessEnv;
  readonly bootstrap: string;

  /** `saslSslPort`: a SASL_SSL listener there too, with a CA, certificates and users made at start. */
  constructor(port: number, options: { readonly saslSslPort?: number } = {}) {
    this.env = {
      ...process.env,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(port + 1),
      KAFKA_DATA_DIR: join(tempDir(), 'kafka'),
      ...(options.saslSslPort !== undefined ? { KAFKA_SASL_SSL_PORT: String(options.saslSslPort) } : {}),
    };
    this.bootstrap = `127.0.0.1:${port}`;
  }

  /** What kafka.sh wrote for clients of the SASL_SSL listener: its address, the CA, a client certificate, a user. */
  secured(): Record<'KAFKA_SASL_SSL_BOOTSTRAP' | 'KAFKA_SSL_CA_FILE' | 'KAFKA_SSL_CERT_FILE' | 'KAFKA_SSL_KEY_FILE' | 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD', string> {
    const text = readFileSync(join(this.env.KAFKA_DATA_DIR as string, 'secure/client.env'), 'utf8');
    return Object.fromEntries(text.trim().split('\n').map((line) => line.split('=', 2) as [string, string])) as ReturnType<LocalBroker['secured']>;
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
