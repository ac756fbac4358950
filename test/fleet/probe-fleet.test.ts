import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EndpointConfig } from '../../src/config/fleet-schema.js';
import { fetchHttpClient } from '../../src/fleet/http.js';
import { probeFleet } from '../../src/fleet/probe-fleet.js';
import { readFleetStatus } from '../../src/fleet/status-file.js';
import { deadUrl } from '../../src/sandbox/model-server.js';
import { FakeClock } from '../../src/util/clock.js';
import { endpoint, paths, startServer, tempDir } from './helpers.js';

function prober(endpoints: EndpointConfig[], hysteresis = { healthyAfter: 1, unhealthyAfter: 2 }) {
  const statusFile = path.join(tempDir(), 'fleet_status.json');
  const clock = new FakeClock('2026-03-01T12:00:00.000Z');
  const round = () =>
    probeFleet({ endpoints, statusFile, hysteresis, concurrency: 8, http: fetchHttpClient, clock });
  return { statusFile, clock, round };
}

describe('probeFleet: hysteresis', () => {
  it('one lost probe does not flip healthy; the second in a row does', async () => {
    const server = await startServer({ kind: 'openai' });
    const { round } = prober([endpoint({ id: 'a', base_url: server.baseUrl, kind: 'openai' })]);

    const first = await round();
    expect(first.records[0]).toMatchObject({ state: 'up', ready: true, healthy: true });
    expect(first.transitions).toEqual([
      expect.objectContaining({
        endpoint: 'a',
        from_state: null,
        to_state: 'up',
        to_healthy: true,
      }),
    ]);

    server.behavior = 'fail';
    const lost = await round();
    expect(lost.records[0]).toMatchObject({
      state: 'down',
      ready: false,
      healthy: true,
      ok: false,
      error_class: 'http_error',
    });
    expect(lost.status.probe?.summary).toEqual({
      endpoint_total: 1,
      endpoint_healthy: 1,
      endpoint_unhealthy: 0,
    });

    const second = await round();
    expect(second.records[0]).toMatchObject({ state: 'down', healthy: false });
    expect(second.transitions).toEqual([
      expect.objectContaining({
        from_state: 'down',
        to_state: 'down',
        from_healthy: true,
        to_healthy: false,
      }),
    ]);
  });

  it('a lost probe between good ones never makes the endpoint unhealthy', async () => {
    const server = await startServer({ kind: 'openai' });
    const { round } = prober([
      endpoint({ id: 'a', base_url: server.baseUrl, kind: 'openai', timeout_sec: 0.3 }),
    ]);
    const healthy: boolean[] = [];
    for (const behavior of ['ok', 'hang', 'ok', 'fail', 'ok'] as const) {
      server.behavior = behavior;
      const result = await round();
      healthy.push(result.records[0]!.healthy);
    }
    expect(healthy).toEqual([true, true, true, true, true]);
  });

  it('healthy_after: 2 needs two ready probes in a row', async () => {
    const server = await startServer({ kind: 'openai' });
    const { round } = prober([endpoint({ id: 'a', base_url: server.baseUrl, kind: 'openai' })], {
      healthyAfter: 2,
      unhealthyAfter: 2,
    });
    expect((await round()).records[0]).toMatchObject({ ready: true, healthy: false });
    expect((await round()).records[0]).toMatchObject({ ready: true, healthy: true });
  });

  it('records transitions only when state or health changes', async () => {
    const server = await startServer({ kind: 'openai' });
    const { round } = prober([endpoint({ id: 'a', base_url: server.baseUrl, kind: 'openai' })]);
    expect((await round()).transitions).toHaveLength(1);
    expect((await round()).transitions).toHaveLength(0);
  });
});

describe('probeFleet: warm-up grace', () => {
  it('an endpoint first seen down is starting inside warmup_grace_sec, down after it; never healthy', async () => {
    const url = await deadUrl();
    const { round, clock } = prober([
      endpoint({ id: 'a', base_url: url, kind: 'openai', warmup_grace_sec: 60 }),
    ]);
    const first = await round();
    expect(first.records[0]).toMatchObject({
      state: 'starting',
      healthy: false,
      error_class: 'refused',
      not_ready_since: '2026-03-01T12:00:00.000Z',
    });
    expect(first.records[0]!.reason).toContain('warm-up grace: 60s left');
    clock.advance(59_000);
    expect((await round()).records[0]).toMatchObject({
      state: 'starting',
      healthy: false,
      not_ready_since: '2026-03-01T12:00:00.000Z',
    });
    clock.advance(1_000);
    expect((await round()).records[0]).toMatchObject({ state: 'down', healthy: false });
  });

  it('the grace restarts when a ready endpoint stops answering (a restart), not on every failure', async () => {
    const server = await startServer({ kind: 'openai' });
    const { round, clock } = prober([
      endpoint({ id: 'a', base_url: server.baseUrl, kind: 'openai', warmup_grace_sec: 30 }),
    ]);
    expect((await round()).records[0]).toMatchObject({ state: 'up', not_ready_since: null });
    clock.advance(600_000);
    server.behavior = 'fail';
    const restarting = await round();
    expect(restarting.records[0]).toMatchObject({
      state: 'starting',
      not_ready_since: clock.now().toISOString(),
      healthy: true,
    });
    clock.advance(31_000);
    expect((await round()).records[0]).toMatchObject({ state: 'down', healthy: false });
    clock.advance(600_000);
    expect((await round()).records[0]!.state).toBe('down');
  });

  it('without a grace (the default), a dead endpoint is down at once', async () => {
    const { round } = prober([endpoint({ id: 'a', base_url: await deadUrl(), kind: 'openai' })]);
    expect((await round()).records[0]).toMatchObject({ state: 'down', error_class: 'refused' });
  });
});

describe('probeFleet: canary', () => {
  it('is off unless configured: no completion reaches the server, no tokens', async () => {
    const server = await startServer({ kind: 'lmstudio' });
    const { round } = prober([endpoint({ id: 'a', base_url: server.baseUrl, kind: 'lmstudio' })]);
    const results = [await round(), await round()];
    expect(server.completions).toBe(0);
    expect(results.map((r) => r.results[0]!.tokens)).toEqual([0, 0]);
  });

  it('when configured, sends one max_tokens: 1 completion per probe and counts its tokens', async () => {
    const server = await startServer({ kind: 'openai', models: ['alpha'] });
    const { round } = prober([
      endpoint({ id: 'a', base_url: server.baseUrl, kind: 'openai', canary: { model: 'alpha' } }),
    ]);
    const result = await round();
    expect(server.completions).toBe(1);
    expect(server.requestsTo('/v1/chat/completions')[0]!.body).toMatchObject({
      model: 'alpha',
      max_tokens: 1,
    });
    // The sandbox's usage: 5 prompt tokens + 1 completion token.
    expect(result.results[0]).toMatchObject({ ready: true, tokens: 6 });
    expect(result.records[0]).toMatchObject({ tokens: 6, healthy: true });
  });

  it('a failing canary leaves the endpoint up but not ready', async () => {
    const server = await startServer({ kind: 'openai', models: ['alpha'], strictModels: true });
    const { round } = prober([
      endpoint({ id: 'a', base_url: server.baseUrl, kind: 'openai', canary: { model: 'missing' } }),
    ]);
    const result = await round();
    expect(result.records[0]).toMatchObject({
      state: 'up',
      ready: false,
      error_class: 'http_error',
    });
    expect(result.records[0]!.reason).toMatch(
      /^canary missing failed: POST \/v1\/chat\/completions: HTTP 404/,
    );
  });

  it('is not sent to an endpoint that is not ready', async () => {
    const server = await startServer({ kind: 'openai', behavior: 'no_models' });
    const { round } = prober([
      endpoint({ id: 'a', base_url: server.baseUrl, kind: 'openai', canary: { model: 'alpha' } }),
    ]);
    await round();
    expect(server.completions).toBe(0);
  });
});

describe('probeFleet: auto kind', () => {
  it('remembers the detected kind in fleet_status.json and does not detect again next round', async () => {
    const server = await startServer({ kind: 'ollama' });
    const { round, statusFile } = prober([endpoint({ id: 'a', base_url: server.baseUrl })]);
    await round();
    expect(readFleetStatus(statusFile)?.probe?.endpoints[0]).toMatchObject({
      kind: 'ollama',
      ready: true,
    });
    server.requests.length = 0;
    await round();
    expect(paths(server).sort()).toEqual(['GET /api/ps', 'GET /api/tags']);
  });
});

describe('probeFleet: disabled endpoints', () => {
  it('are recorded as disabled, never healthy, never called, and not counted', async () => {
    const server = await startServer({ kind: 'openai' });
    const { round } = prober([
      endpoint({ id: 'off', base_url: server.baseUrl, kind: 'openai', enabled: false }),
    ]);
    const result = await round();
    expect(result.records[0]).toMatchObject({ state: 'disabled', healthy: false, enabled: false });
    expect(result.status.probe?.summary.endpoint_total).toBe(0);
    expect(server.requests).toHaveLength(0);
  });
});
