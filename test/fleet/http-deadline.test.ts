// Every outbound call ends within its timeout whatever the peer does, also while the garbage
// collector runs (a timeout nobody references can be collected and then never fire).
import { spawn } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointSchema, type EndpointConfig } from '../../src/config/fleet-schema.js';
import { fetchHttpClient } from '../../src/fleet/http.js';
import { probeRound } from '../../src/fleet/probe-round.js';
import { ModelServer } from '../../src/sandbox/model-server.js';

const CHILD = path.resolve('test/fixtures/http-deadline-child.mjs');

/** Peers that misbehave in each way a call can stall: no answer, headers then nothing, a drip. */
let server: Server;
let base = '';
const open = new Set<ServerResponse>();

beforeAll(async () => {
  server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    if (req.url === '/silent') return; // never answers
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    if (req.url === '/headers-only') return;
    // `/drip`: one byte of a JSON body every 200 ms, for as long as the client listens.
    res.write('{"data": [');
    const timer = setInterval(() => res.write(' '), 200);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of open) res.destroy();
  await new Promise((resolve) => server.close(resolve));
});

function callInChild(url: string, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', CHILD, url, String(timeoutMs), '20000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as Record<string, unknown>);
      } catch {
        reject(new Error(`child printed no result: ${out}`));
      }
    });
  });
}

describe('outbound calls end within their timeout', () => {
  // status 200: the deadline fired after the headers had come, the case a collected signal missed.
  for (const [route, status] of [
    ['drip', 200],
    ['headers-only', 200],
    ['silent', null],
  ] as const) {
    it(`${route}: a timeout, with forced garbage collection during the call`, async () => {
      // Generous for a loaded machine: the child must connect and get the headers within it.
      const result = await callInChild(`${base}/${route}`, 3000);
      expect(result).not.toHaveProperty('hung');
      expect(result).toMatchObject({
        ok: false,
        status,
        errorClass: 'timeout',
        reason: 'timed out',
      });
    }, 60_000);
  }

  it('a dripping endpoint costs its round one timeout; the healthy endpoint beside it is probed as usual', async () => {
    const models = await new ModelServer({}).start();
    try {
      const endpoint = (id: string, baseUrl: string): EndpointConfig =>
        endpointSchema.parse({ id, base_url: baseUrl, kind: 'openai', timeout_sec: 1 });
      const results = await probeRound(
        [endpoint('drip', `${base}/drip`), endpoint('lm', models.baseUrl)],
        { http: fetchHttpClient, now: () => new Date() },
        4,
      );
      expect(results.map((r) => [r.endpointId, r.ready, r.errorClass])).toEqual([
        ['drip', false, 'timeout'],
        ['lm', true, null],
      ]);
    } finally {
      await models.stop();
    }
  }, 60_000);
});
