import { describe, expect, it, vi } from 'vitest';
import { probeRound } from '../../src/fleet/probe-round.js';
import { endpoint, probeContext, startServer } from './helpers.js';

describe('probeRound', () => {
  it('probes 20 endpoints at once: every request arrives before the first hanging probe gives up', async () => {
    const hanging = await Promise.all(
      Array.from({ length: 5 }, () => startServer({ kind: 'openai', behavior: 'hang' })),
    );
    const healthy = await Promise.all(
      Array.from({ length: 15 }, () => startServer({ kind: 'openai' })),
    );
    // Hanging endpoints first: a sequential round would time out on them before reaching the others.
    const servers = [...hanging, ...healthy];
    const endpoints = servers.map((s, i) =>
      endpoint({ id: `e${i}`, base_url: s.baseUrl, kind: 'openai', timeout_sec: 2 }),
    );

    const results = await probeRound(endpoints, probeContext(), 32);

    expect(results.map((r) => r.endpointId)).toEqual(endpoints.map((e) => e.id));
    expect(results.slice(0, 5).map((r) => r.errorClass)).toEqual(Array(5).fill('timeout'));
    expect(results.slice(5).every((r) => r.ready)).toBe(true);
    const arrivals = servers.flatMap((s) => s.requests.map((r) => r.seq));
    expect(arrivals).toHaveLength(20);
    // The servers see the clients go away a moment after the probes return.
    await vi.waitFor(
      () => expect(hanging.every((s) => s.requests[0]?.closedSeq !== undefined)).toBe(true),
      { timeout: 5000 },
    );
    const giveUps = hanging.flatMap((s) => s.requests.map((r) => r.closedSeq));
    // Structural overlap: the last arrival precedes the earliest time a hanging probe gave up.
    expect(Math.max(...arrivals)).toBeLessThan(Math.min(...(giveUps as number[])));
  });

  it('respects the concurrency limit: with 1 in flight, the next request waits for the hanging one', async () => {
    const hang = await startServer({ kind: 'openai', behavior: 'hang' });
    const ok = await startServer({ kind: 'openai' });
    const endpoints = [hang, ok].map((s, i) =>
      endpoint({ id: `e${i}`, base_url: s.baseUrl, kind: 'openai', timeout_sec: 0.3 }),
    );
    const results = await probeRound(endpoints, probeContext(), 1);
    expect(results.map((r) => r.errorClass)).toEqual(['timeout', null]);
    expect(ok.requests[0]!.seq).toBeGreaterThan(hang.requests[0]!.closedSeq!);
  });
});
