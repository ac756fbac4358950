// The webhook body reader over real sockets: the limit, a body cut off mid-way, the connection kept.
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readBody, type BodyRead } from '../../src/receiver/body.js';

let server: Server | null = null;
afterEach(() => {
  server?.close();
  server = null;
});

/** A server that reads each body under `limit` and reports what it read. */
async function reader(limit: number): Promise<{ port: number; reads: BodyRead[] }> {
  const reads: BodyRead[] = [];
  server = createServer((req, res) => {
    void readBody(req, res, limit).then((read) => {
      reads.push(read);
      res.writeHead('body' in read ? 200 : read.rejection.status, { 'content-length': '0' });
      res.end();
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, reads };
}

/** Send raw bytes on one connection; resolve with everything answered once `answers` status lines came. */
function raw(port: number, chunks: string[], answers: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
    let text = '';
    socket.on('data', (d) => {
      text += d.toString();
      if ((text.match(/HTTP\/1\.1 \d{3}/g) ?? []).length >= answers) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
  });
}

const post = (body: string, headers = `content-length: ${Buffer.byteLength(body)}\r\n`): string =>
  `POST /x HTTP/1.1\r\nhost: localhost\r\n${headers}\r\n${body}`;

describe('readBody', () => {
  it('reads a body up to the limit; over it (declared or counted) is 413, and the connection still answers', async () => {
    const { port, reads } = await reader(10);
    const answered = await raw(
      port,
      [
        post('0123456789'),
        post('0123456789ab'),
        post('5\r\n01234\r\n6\r\n56789a\r\n0\r\n\r\n', 'transfer-encoding: chunked\r\n'),
        post('ok'),
      ],
      4,
    );
    expect(answered.match(/HTTP\/1\.1 \d{3}/g)).toEqual([
      'HTTP/1.1 200',
      'HTTP/1.1 413',
      'HTTP/1.1 413',
      'HTTP/1.1 200',
    ]);
    expect(reads.map((r) => ('body' in r ? r.body.toString() : r.rejection.name))).toEqual([
      '0123456789',
      'BODY_TOO_LARGE',
      'BODY_TOO_LARGE',
      'ok',
    ]);
  });

  it('a body cut off mid-way is unreadable, and nothing waits for the rest', async () => {
    const { port, reads } = await reader(1000);
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('POST /x HTTP/1.1\r\nhost: localhost\r\ncontent-length: 100\r\n\r\n{"half":');
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => resolve());
    });
    for (let i = 0; i < 100 && reads.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(reads).toHaveLength(1);
    expect('rejection' in reads[0]! && reads[0].rejection.name).toBe('BODY_UNREADABLE');
  });

  it('no body at all is an empty one', async () => {
    const { port, reads } = await reader(10);
    await raw(port, ['POST /x HTTP/1.1\r\nhost: localhost\r\n\r\n'], 1);
    expect(reads).toEqual([{ body: Buffer.alloc(0) }]);
  });
});
