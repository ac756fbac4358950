// The probers' HTTP client (node:http): what it sends and how it reads answers it must not trust.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchHttpClient as client } from '../../src/fleet/http.js';

let server: Server;
let base = '';
let seen: { method?: string; headers: IncomingHttpHeaders; body: string } | null = null;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen = { method: req.method, headers: req.headers, body };
      if (req.url === '/big') return res.end(`{"data":"${'x'.repeat(4096)}"}`);
      if (req.url === '/moved') {
        res.writeHead(302, { location: '/elsewhere' });
        return res.end();
      }
      if (req.url === '/text') return res.end('OK');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":[{"id":"m"}]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('the probers HTTP client', () => {
  it('GETs JSON and parses it', async () => {
    const res = await client.request(`${base}/v1/models`, { timeoutMs: 5000 });
    expect(res).toMatchObject({ ok: true, status: 200, json: { data: [{ id: 'm' }] } });
    expect(seen?.method).toBe('GET');
    expect(seen?.headers.accept).toBe('application/json');
  });

  it('POSTs a JSON body with its type and length, and the configured headers', async () => {
    const res = await client.request(`${base}/v1/chat/completions`, {
      method: 'POST',
      body: { model: 'm', messages: [{ role: 'user', content: 'é' }] },
      headers: { 'x-api-key': 'k' },
      timeoutMs: 5000,
    });
    expect(res.ok).toBe(true);
    expect(seen?.method).toBe('POST');
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen!.body)).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'é' }],
    });
    expect(Number(seen?.headers['content-length'])).toBe(Buffer.byteLength(seen!.body));
    expect(seen?.headers['x-api-key']).toBe('k');
  });

  it('sends user:pass@ in the URL as basic auth, and a configured Authorization wins', async () => {
    const withCreds = base.replace('http://', 'http://al%40ce:p%3Ass@');
    await client.request(`${withCreds}/v1/models`, { timeoutMs: 5000 });
    expect(seen?.headers.authorization).toBe(
      `Basic ${Buffer.from('al@ce:p:ss').toString('base64')}`,
    );
    await client.request(`${withCreds}/v1/models`, {
      timeoutMs: 5000,
      headers: { authorization: 'Bearer t' },
    });
    expect(seen?.headers.authorization).toBe('Bearer t');
  });

  it('cuts an answer larger than maxBytes', async () => {
    const res = await client.request(`${base}/big`, { timeoutMs: 5000, maxBytes: 1024 });
    expect(res).toMatchObject({
      ok: false,
      errorClass: 'invalid_response',
      reason: 'answer too large',
    });
  });

  it('does not follow a redirect', async () => {
    const res = await client.request(`${base}/moved`, { timeoutMs: 5000 });
    expect(res).toMatchObject({
      ok: false,
      status: null,
      errorClass: 'refused',
      reason: 'connection failed: unexpected redirect',
    });
  });

  it('a 2xx that is not JSON is invalid, unless any answer will do', async () => {
    expect(await client.request(`${base}/text`, { timeoutMs: 5000 })).toMatchObject({
      ok: false,
      errorClass: 'invalid_response',
      reason: 'answer is not JSON',
    });
    expect(await client.request(`${base}/text`, { timeoutMs: 5000, expect: 'any' })).toMatchObject({
      ok: true,
      json: null,
      text: 'OK',
    });
  });

  it('a closed port is refused; an unsupported scheme fails with its reason', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await client.request(`http://127.0.0.1:${port}/`, { timeoutMs: 5000 })).toMatchObject({
      ok: false,
      status: null,
      errorClass: 'refused',
      reason: 'connection refused',
    });
    expect(await client.request('ftp://127.0.0.1/', { timeoutMs: 5000 })).toMatchObject({
      ok: false,
      errorClass: 'refused',
      reason: 'connection failed: unsupported protocol ftp:',
    });
  });
});
