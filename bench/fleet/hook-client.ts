// The webhook phase's client: `concurrency` kept-alive loopback connections, each sending the same
// prepared POST and reading the answer by its Content-Length. Node's own HTTP client spent as much
// CPU per call as serve spent answering it (0.2–0.5 ms), on the same two cores: the figures then
// measured the client as much as the server. Alertmanager is a Go program on another host; this
// client costs a few tens of microseconds a call. Benchmark tooling only.
import { connect, type Socket } from 'node:net';

export interface HookCall {
  status: number;
  ms: number;
  body: string;
}

/** One connection that sends `request` and resolves each answer in turn (no pipelining). */
class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: {
    started: number;
    resolve: (c: HookCall) => void;
    reject: (e: Error) => void;
  } | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed by serve')));
  }

  static open(port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new Connection(socket)));
      socket.once('error', reject);
    });
  }

  send(request: Buffer): Promise<HookCall> {
    return new Promise((resolve, reject) => {
      this.waiting = { started: performance.now(), resolve, reject };
      this.socket.write(request);
    });
  }

  close(): void {
    this.waiting = null;
    this.socket.destroy();
  }

  private fail(err: Error): void {
    const w = this.waiting;
    this.waiting = null;
    w?.reject(err);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buffer.toString('latin1', 0, end);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length)
      return this.fail(new Error(`answer without Content-Length: ${head.slice(0, 200)}`));
    const total = end + 4 + Number(length[1]);
    if (this.buffer.length < total) return;
    const body = this.buffer.toString('utf8', end + 4, total);
    this.buffer = this.buffer.subarray(total);
    const w = this.waiting;
    this.waiting = null;
    w?.resolve({
      status: Number(head.slice(9, 12)),
      ms: performance.now() - w.started,
      body,
    });
  }
}

/** The bytes of a POST of `body` to `path` with `headers` (HTTP/1.1, kept alive). */
export function postBytes(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: string,
): Buffer {
  const payload = Buffer.from(body);
  const lines = [`POST ${path} HTTP/1.1`, `host: 127.0.0.1:${port}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push(`content-length: ${payload.length}`, '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n')), payload]);
}

/**
 * Send `request` `total` times over `concurrency` connections; `into(i)` names where call i's
 * latency goes. Throws on the first answer that is not 200.
 */
export async function hookCalls(
  port: number,
  request: Buffer,
  total: number,
  concurrency: number,
  record: (call: number, ms: number) => void,
): Promise<void> {
  const connections = await Promise.all(
    Array.from({ length: concurrency }, () => Connection.open(port)),
  );
  let sent = 0;
  try {
    await Promise.all(
      connections.map(async (connection) => {
        while (sent < total) {
          const call = sent++;
          const answer = await connection.send(request);
          if (answer.status !== 200)
            throw new Error(`webhook answered ${answer.status}: ${answer.body.slice(0, 200)}`);
          record(call, answer.ms);
        }
      }),
    );
  } finally {
    for (const connection of connections) connection.close();
  }
}
