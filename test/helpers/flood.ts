// Many HTTP requests, fast: one keep-alive loopback connection with the requests pipelined in
// batches, so a flood of 100,000 costs the server's time, not a client's.
import { connect } from 'node:net';

export interface FloodResult {
  /** Responses by status code. */
  statuses: Map<number, number>;
}

/** Send `count` copies of a raw HTTP/1.1 request (it must not ask to close) and read every answer. */
export function flood(
  port: number,
  rawRequest: string | Buffer,
  count: number,
  batch = 500,
): Promise<FloodResult> {
  const request = Buffer.isBuffer(rawRequest) ? rawRequest : Buffer.from(rawRequest);
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const statuses = new Map<number, number>();
    let answered = 0;
    let sent = 0;
    let tail = '';
    const sendBatch = (): void => {
      const n = Math.min(batch, count - sent);
      sent += n;
      socket.write(Buffer.concat(Array.from({ length: n }, () => request)));
    };
    socket.on('connect', sendBatch);
    socket.on('data', (chunk: Buffer) => {
      // Status lines only: bodies are short JSON and never hold "HTTP/1.1 " followed by a status.
      const text = tail + chunk.toString('latin1');
      for (const m of text.matchAll(/HTTP\/1\.1 (\d{3}) /g)) {
        const code = Number(m[1]);
        statuses.set(code, (statuses.get(code) ?? 0) + 1);
        answered++;
      }
      // A status line is 13 characters: the last 12 can hold the start of one, never a whole one.
      tail = text.slice(-12);
      if (answered === count) {
        socket.end();
        resolve({ statuses });
      } else if (answered === sent) sendBatch();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      if (answered < count)
        reject(new Error(`connection closed after ${answered} of ${count} answers`));
    });
  });
}

/** A raw POST with a JSON body. */
export function rawPost(path: string, body: string, headers: Record<string, string> = {}): string {
  const lines = [
    `POST ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
