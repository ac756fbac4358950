// The HTTP surface against a browser on another site and slow clients: loopback Host only (DNS
// rebinding), no cross-site writes, /-/reload behind the same credentials as /api/v1/cycle, and a
// refused slow body closed right after its 401.
import { createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { hostOf, isLoopbackHost } from '../../src/http/request-guards.js';
import { receiverRoutes } from '../../src/receiver/route.js';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { startServer, type RunningServer } from '../../src/serve/serve.js';
import { systemClock } from '../../src/util/clock.js';
import { portStub } from '../helpers/port-stub.js';
import { tempDir } from '../helpers/tmp.js';

const TOKEN = 'guards-token-0123456789';
const servers: Server[] = [];
let running: RunningServer | null = null;
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await running?.stop('test');
  running = null;
});

async function listen(app: ReturnType<typeof createApp>): Promise<number> {
  const server = await new Promise<Server>((resolve) => {
    const s = createServer(app).listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return (server.address() as { port: number }).port;
}

/** A request with headers fetch will not let us set (Host, Origin). */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, headers: { 'content-length': '0', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {},
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('Host on a loopback listener (DNS rebinding)', () => {
  it('names loopback hosts only', () => {
    for (const h of [
      'localhost:9477',
      '127.0.0.1',
      '127.3.2.1:80',
      '[::1]:9477',
      'app.localhost:1',
      'LOCALHOST.',
    ])
      expect(isLoopbackHost(hostOf(h)), h).toBe(true);
    for (const h of [
      'evil.example',
      'evil.example:9477',
      '127.0.0.1.nip.io:9477',
      '[::2]:9477',
      'localhost.evil.example',
      '0.0.0.0:9477',
    ])
      expect(isLoopbackHost(hostOf(h)), h).toBe(false);
  });

  it('serve on 127.0.0.1 refuses a request whose Host is another name, on every route', async () => {
    const root = buildSandboxRoot(tempDir(), { endpoints: [], lanes: [] });
    running = await startServer({
      root,
      clock: systemClock,
      log: () => undefined,
      listen: '127.0.0.1:0',
      writePidFile: false,
      env: {},
    });
    const port = (running.server.address() as { port: number }).port;
    for (const path of ['/api/v1/status', '/metrics', '/', '/api/v1/history']) {
      const rebound = await send(port, 'GET', path, { host: `attacker.example:${port}` });
      expect(rebound, path).toMatchObject({ status: 403, body: { error: 'host_not_allowed' } });
    }
    expect((await send(port, 'GET', '/api/v1/status', { host: `localhost:${port}` })).status).toBe(
      200,
    );
    expect((await send(port, 'GET', '/api/v1/status', { host: `127.0.0.1:${port}` })).status).toBe(
      200,
    );
  });
});

describe('state-changing routes and cross-site Origin', () => {
  it('refuse a cross-origin POST even with the right token; same-origin and no Origin pass', async () => {
    const stub = portStub({ endpoints: [], lanes: [] }, { token: TOKEN });
    const port = await listen(createApp(stub, [receiverRoutes], { loopback: true }));
    const auth = { authorization: `Bearer ${TOKEN}`, host: `127.0.0.1:${port}` };
    const crossSite: Array<Record<string, string>> = [
      { origin: 'http://attacker.example' },
      { origin: 'null' },
      { origin: `http://localhost:${port + 1}` },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const extra of crossSite) {
      for (const path of ['/api/v1/cycle', '/-/reload', '/alertmanager/webhook']) {
        expect(
          await send(port, 'POST', path, { ...auth, ...extra }),
          `${path} ${JSON.stringify(extra)}`,
        ).toMatchObject({ status: 403, body: { error: 'cross_origin' } });
      }
    }
    expect(stub.calls.cycles).toEqual([]);
    expect(stub.calls.reloads).toEqual([]);
    expect(
      (await send(port, 'POST', '/api/v1/cycle', { ...auth, origin: `http://127.0.0.1:${port}` }))
        .status,
    ).toBe(202);
    expect((await send(port, 'POST', '/api/v1/cycle', auth)).status).toBe(202);
    // Reading stays open to other origins' GETs (the page and the API are read-only there).
    expect(
      (
        await send(port, 'GET', '/api/v1/status', {
          host: `127.0.0.1:${port}`,
          origin: 'http://attacker.example',
        })
      ).status,
    ).toBe(200);
  });
});

describe('POST /-/reload', () => {
  it('needs the same credentials as /api/v1/cycle, also on loopback without any configured', async () => {
    const open = portStub();
    const openPort = await listen(createApp(open, [], { loopback: true }));
    expect(await send(openPort, 'POST', '/-/reload', {})).toMatchObject({
      status: 403,
      body: { error: 'auth_unconfigured' },
    });
    expect(await send(openPort, 'POST', '/api/v1/cycle', {})).toMatchObject({
      status: 403,
      body: { error: 'auth_unconfigured' },
    });
    expect(open.calls.reloads).toEqual([]);

    const locked = portStub({ endpoints: [], lanes: [] }, { token: TOKEN });
    const port = await listen(createApp(locked, [], { loopback: true }));
    expect((await send(port, 'POST', '/-/reload', {})).status).toBe(401);
    expect((await send(port, 'POST', '/-/reload', { authorization: 'Bearer nope' })).status).toBe(
      401,
    );
    expect(
      (await send(port, 'POST', '/-/reload', { authorization: `Bearer ${TOKEN}` })).status,
    ).toBe(200);
    expect(locked.calls.reloads).toEqual(['http']);
  });
});

describe('a slow body without a token', () => {
  for (const path of ['/alertmanager/webhook', '/api/v1/cycle']) {
    it(`${path}: the connection is closed right after the 401`, async () => {
      const stub = portStub({ endpoints: [], lanes: [] }, { token: TOKEN });
      const port = await listen(createApp(stub, [receiverRoutes], { loopback: true }));
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.on('data', (c: Buffer) => (answer += c.toString()));
      const closed = new Promise<'closed'>((resolve) =>
        socket.on('close', () => resolve('closed')),
      );
      // Headers promise a megabyte; the body drips a byte every 300 ms, so the connection never idles.
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"version"`,
      );
      const drip = setInterval(() => socket.writable && socket.write(' '), 300);
      const waited = await Promise.race([
        closed,
        new Promise<'open'>((r) => setTimeout(() => r('open'), 15_000)),
      ]);
      clearInterval(drip);
      socket.destroy();
      expect(answer).toMatch(/^HTTP\/1\.1 401 /);
      expect(waited).toBe('closed');
    }, 60_000);
  }
});
