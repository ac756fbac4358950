// Reading history never stalls the daemon: a large history is read asynchronously in chunks, a few
// reads at a time (429 beyond), while /metrics keeps answering.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { HISTORY_READS_AT_ONCE } from '../../src/http/routes/api.js';
import { portStub } from '../helpers/port-stub.js';

let server: Server | null = null;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = null;
});

/** A history of about `mb` MiB of cycle events (written directly: the store would take minutes). */
function bigHistory(file: string, mb: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const line = `${JSON.stringify({ ts: '2026-06-01T00:00:00.000Z', type: 'cycle', cycle_id: 'c', pad: 'p'.repeat(400) })}\n`;
  writeFileSync(file, line.repeat(Math.ceil((mb * 1024 * 1024) / line.length)));
}

describe('GET /api/v1/history under load', () => {
  it(`serves ${HISTORY_READS_AT_ONCE} reads at once (429 beyond), and /metrics answers while they read`, async () => {
    const stub = portStub();
    bigHistory(stub.config.paths.history, 24);
    server = await new Promise<Server>((resolve) => {
      const s = createServer(createApp(stub)).listen(0, '127.0.0.1', () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

    const finished: string[] = [];
    // A type that matches nothing: each read scans the whole file.
    const reads = Array.from({ length: 10 }, (_, i) =>
      fetch(`${base}/api/v1/history?type=no_such_event&limit=10`).then(async (res) => {
        finished.push(`history-${i}`);
        return {
          status: res.status,
          retryAfter: res.headers.get('retry-after'),
          body: (await res.json()) as { events?: unknown[]; error?: string },
        };
      }),
    );
    const metrics = fetch(`${base}/metrics`).then(async (res) => {
      finished.push('metrics');
      return { status: res.status, text: await res.text() };
    });
    const [answers, scrape] = await Promise.all([Promise.all(reads), metrics]);

    expect(scrape.status).toBe(200);
    expect(scrape.text).toContain('laneguard_build_info');
    const ok = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(ok.length + refused.length).toBe(10);
    expect(ok.length).toBeGreaterThanOrEqual(HISTORY_READS_AT_ONCE);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused)
      expect(r).toMatchObject({ retryAfter: '1', body: { error: 'too_many_requests' } });
    for (const a of ok) expect(a.body.events).toEqual([]);
    // The scrape was answered before the reads that were admitted had all finished: they never
    // held the event loop for their whole length.
    const lastRead = Math.max(
      ...answers.map((a, i) => (a.status === 200 ? finished.indexOf(`history-${i}`) : -1)),
    );
    expect(finished.indexOf('metrics')).toBeLessThan(lastRead);
  }, 120_000);

  it('caps limit', async () => {
    const stub = portStub();
    server = await new Promise<Server>((resolve) => {
      const s = createServer(createApp(stub)).listen(0, '127.0.0.1', () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const res = await fetch(`${base}/api/v1/history?limit=10001`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe(
      'limit: an integer from 1 to 10000',
    );
  });
});
