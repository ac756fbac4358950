import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

// A loopback server that answers recorded bodies verbatim: one route table per real server answer
// being replayed. A route is `METHOD /path`; `fallback` answers anything else (a real server's
// answer to a route it lacks). `auth` replays a server that wants a bearer token on all routes but
// its public ones.

export interface Recorded {
  status: number;
  /** The body exactly as the server sends it. */
  body: string;
  contentType?: string;
}

export interface ReplayTable {
  routes: Record<string, Recorded>;
  fallback: (method: string, path: string) => Recorded;
  auth?: { token: string; publicPaths: readonly string[]; refusal: Recorded };
}

const open: Server[] = [];
afterEach(async () => {
  await Promise.all(
    open.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

export interface Replay {
  url: string;
  baseUrl: string;
  /** `METHOD /path` of every request, in order. */
  seen: string[];
}

export async function replay(table: ReplayTable): Promise<Replay> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const key = `${req.method} ${path}`;
    seen.push(key);
    req.resume();
    req.on('end', () => {
      const refused =
        table.auth &&
        !table.auth.publicPaths.includes(path) &&
        req.headers.authorization !== `Bearer ${table.auth.token}`;
      const answer = refused
        ? table.auth!.refusal
        : (table.routes[key] ?? table.fallback(req.method ?? 'GET', path));
      res.writeHead(answer.status, {
        'content-type': answer.contentType ?? 'application/json; charset=utf-8',
      });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  open.push(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, baseUrl: `${url}/v1`, seen };
}

export const json = (status: number, body: string): Recorded => ({ status, body });
