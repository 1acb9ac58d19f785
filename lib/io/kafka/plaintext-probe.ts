import { connect } from 'node:net';

/**
 * Whether a plaintext Kafka client is welcome at `host:port`: sends an ApiVersions request (v0) and waits
 * for an answer. A TLS or SASL listener closes the connection instead; kafkajs would retry that for a
 * minute and more before giving up with "Closed connection", so the service asks once, first.
 *
 * - `answers`: a Kafka listener that speaks plaintext;
 * - `closes`: something took the connection and closed it, or answered with a TLS alert;
 * - `unknown`: nothing listens, or no answer in time: kafkajs's own retries take it from there.
 */
export function probePlaintext(broker: string, timeoutMs = 5_000): Promise<'answers' | 'closes' | 'unknown'> {
  const [host = '', port = ''] = broker.trim().split(':');
  const clientId = Buffer.from('stream-processor-probe');
  // size, api key 18 (ApiVersions), version 0, correlation id 1, client id (int16 length + bytes)
  const request = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
  request.writeInt32BE(request.length - 4, 0);
  request.writeInt16BE(18, 4);
  request.writeInt16BE(0, 6);
  request.writeInt32BE(1, 8);
  request.writeInt16BE(clientId.length, 12);
  clientId.copy(request, 14);
  return new Promise((resolve) => {
    let answered = false;
    let received = Buffer.alloc(0);
    const socket = connect({ host, port: Number(port) }, () => socket.write(request));
    const done = (outcome: 'answers' | 'closes' | 'unknown'): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done('unknown'), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // A TLS listener answers plaintext with an alert record (content type 21), then closes.
      if (received[0] === 0x15) return done('closes');
      if (received.length < 8) return;
      // A Kafka answer: its size, then our correlation id.
      answered = received.readInt32BE(4) === 1;
      done(answered ? 'answers' : 'closes');
    });
    socket.on('error', () => done('unknown'));
    socket.on('close', () => done(answered ? 'answers' : socket.bytesWritten > 0 ? 'closes' : 'unknown'));
  });
}

/** Fails at once, with kafkajs's own words, where the first broker closes a plaintext client's connection. */
export async function refusePlaintextMismatch(bootstrapServers: string, ssl: boolean): Promise<void> {
  const first = bootstrapServers.split(',')[0];
  if (ssl || first === undefined || first.trim() === '') return;
  if ((await probePlaintext(first)) === 'closes') {
    const error = new Error(`Closed connection by ${first.trim()} before any answer to a plaintext request`);
    error.name = 'KafkaJSConnectionClosedError';
    throw error;
  }
}
