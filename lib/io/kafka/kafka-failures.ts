/**
 * Failures of the connection itself that no retry will mend: credentials refused, a TLS handshake that
 * cannot succeed, TLS spoken to a plaintext port or the reverse. Each becomes one line that says what to
 * change; anything else is undefined (the caller retries or reports it as it is).
 */
export function connectionFailure(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = (e as Error & { cause?: unknown }).cause ?? (e as { originalError?: unknown }).originalError) {
    const { name, message } = e;
    if (name === 'KafkaJSSASLAuthenticationError') {
      return `Kafka refused the credentials: ${message} (check kafka.saslUsername, the password and kafka.saslMechanism)`;
    }
    if (/certificate|self[- ]signed|unable to verify|Hostname\/IP does not match/i.test(message)) {
      return `TLS: the broker's certificate was not accepted: ${message} (kafka.sslCaFile names the CA that signed it; kafka.sslVerifyHostname=false skips the host name check)`;
    }
    if (/wrong version number|packet length too long|unknown protocol|EPROTO/i.test(message)) {
      return `TLS: the handshake failed (${message}): is this port a TLS listener? (kafka.ssl)`;
    }
    if (name === 'KafkaJSConnectionClosedError' || /Closed connection/.test(message)) {
      return `the broker closed every connection at once: it may expect TLS (set kafka.ssl=true) or SASL (kafka.saslMechanism) on this port`;
    }
  }
  return undefined;
}

/** Those of the failures above that are certain whatever the timing: a restart would fail the same way. */
export function isFatalConnectionFailure(error: unknown): boolean {
  const line = connectionFailure(error);
  return line !== undefined && !line.startsWith('the broker closed');
}
