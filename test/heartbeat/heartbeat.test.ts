import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EndpointConfig } from '../../src/config/fleet-schema.js';
import { fetchHttpClient } from '../../src/fleet/http.js';
import { heartbeatRound, runHeartbeat } from '../../src/heartbeat/heartbeat.js';
import { readHeartbeatState } from '../../src/heartbeat/state.js';
import { HistoryStore } from '../../src/history/store.js';
import { deadUrl } from '../../src/sandbox/model-server.js';
import { FakeClock } from '../../src/util/clock.js';
import { endpoint, paths, startServer, tempDir } from '../fleet/helpers.js';

function setup(endpoints: EndpointConfig[]) {
  const dir = tempDir();
  const stateFile = path.join(dir, 'heartbeat_state.json');
  const clock = new FakeClock('2026-03-01T12:00:00.000Z');
  const history = new HistoryStore(
    path.join(dir, 'history.ndjson'),
    { maxBytes: 1 << 20, keepFiles: 1 },
    clock,
  );
  const options = { endpoints, stateFile, http: fetchHttpClient, clock, history };
  const events = (): Array<Record<string, unknown>> => {
    try {
      return readFileSync(history.file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    } catch {
      return [];
    }
  };
  return { stateFile, clock, options, events, round: () => heartbeatRound(options) };
}

describe('heartbeatRound', () => {
  it('pings only enabled heartbeat: true endpoints, with a cheap probe and no tokens', async () => {
    const warm = await startServer({ kind: 'lmstudio' });
    const other = await startServer({ kind: 'lmstudio' });
    const off = await startServer({ kind: 'lmstudio' });
    const { round, stateFile } = setup([
      endpoint({ id: 'remote', base_url: warm.baseUrl, kind: 'lmstudio', heartbeat: true }),
      endpoint({ id: 'plain', base_url: other.baseUrl, kind: 'lmstudio' }),
      endpoint({
        id: 'off',
        base_url: off.baseUrl,
        kind: 'lmstudio',
        heartbeat: true,
        enabled: false,
      }),
    ]);
    const result = await round();
    expect(result.entries.map((e) => e.endpoint)).toEqual(['remote']);
    expect(result.entries[0]).toMatchObject({
      ok: true,
      state: 'up',
      ready: true,
      keep_warm: null,
      tokens_total: 0,
      checked_at: '2026-03-01T12:00:00.000Z',
    });
    expect(warm.completions).toBe(0);
    expect(paths(warm).every((p) => p.startsWith('GET '))).toBe(true);
    expect(other.requests).toHaveLength(0);
    expect(off.requests).toHaveLength(0);
    expect(readHeartbeatState(stateFile).endpoints.remote).toMatchObject({
      ok: true,
      last_success_at: '2026-03-01T12:00:00.000Z',
    });
  });

  it('keep_warm sends one max_tokens: 1 completion on the chosen model and counts its tokens', async () => {
    const server = await startServer({ kind: 'lmstudio', models: ['qwen-14b'], loaded: [] });
    const { round } = setup([
      endpoint({
        id: 'remote',
        base_url: server.baseUrl,
        kind: 'lmstudio',
        heartbeat: true,
        keep_warm: { model: 'qwen-14b' },
      }),
    ]);
    await round();
    const second = await round();
    expect(server.requestsTo('/v1/chat/completions').map((r) => r.body)).toEqual([
      expect.objectContaining({ model: 'qwen-14b', max_tokens: 1 }),
      expect.objectContaining({ model: 'qwen-14b', max_tokens: 1 }),
    ]);
    expect(second.entries[0]).toMatchObject({
      ok: true,
      keep_warm: { model: 'qwen-14b', ok: true, tokens: 6 },
      tokens_total: 12,
    });
  });

  it('a failing keep-warm completion makes the heartbeat fail; a dead server gets no completion', async () => {
    const server = await startServer({ kind: 'lmstudio', models: ['a'], strictModels: true });
    const { round } = setup([
      endpoint({
        id: 'wrong-model',
        base_url: server.baseUrl,
        kind: 'lmstudio',
        heartbeat: true,
        keep_warm: { model: 'gone' },
      }),
      endpoint({
        id: 'dead',
        base_url: await deadUrl(),
        kind: 'lmstudio',
        heartbeat: true,
        keep_warm: { model: 'a' },
      }),
    ]);
    const { entries } = await round();
    expect(entries[0]).toMatchObject({
      ok: false,
      state: 'up',
      ready: true,
      error_class: 'http_error',
      keep_warm: { ok: false },
    });
    expect(entries[0]!.reason).toContain('keep-warm gone');
    expect(entries[1]).toMatchObject({
      ok: false,
      state: 'down',
      error_class: 'refused',
      consecutive_failures: 1,
    });
    expect(server.completions).toBe(1);
  });

  it('records heartbeat_changed in the history on changes only', async () => {
    const server = await startServer({ kind: 'lmstudio' });
    const { round, clock, events } = setup([
      endpoint({ id: 'remote', base_url: server.baseUrl, kind: 'lmstudio', heartbeat: true }),
    ]);
    for (const behavior of ['ok', 'ok', 'fail', 'fail', 'no_models', 'ok', 'ok'] as const) {
      server.behavior = behavior;
      await round();
      clock.advance(10_000);
    }
    const changes = events().filter((e) => e.type === 'heartbeat_changed');
    expect(changes.map((e) => [e.from_ok, e.to_ok, e.from_state, e.to_state])).toEqual([
      [null, true, null, 'up'],
      [true, false, 'up', 'down'],
      [false, false, 'down', 'up'],
      [false, true, 'up', 'up'],
    ]);
    expect(changes.every((e) => e.endpoint === 'remote')).toBe(true);
    expect(events()).toHaveLength(4);
  });

  it('remembers the kind detected for an auto endpoint', async () => {
    const server = await startServer({ kind: 'ollama' });
    const { round } = setup([endpoint({ id: 'o', base_url: server.baseUrl, heartbeat: true })]);
    expect((await round()).entries[0]).toMatchObject({ kind: 'ollama', ok: true });
    server.requests.length = 0;
    await round();
    expect(paths(server).sort()).toEqual(['GET /api/ps', 'GET /api/tags']);
  });
});

describe('runHeartbeat', () => {
  it('heartbeats every interval until the signal aborts', async () => {
    const server = await startServer({ kind: 'openai' });
    const { options, clock } = setup([
      endpoint({ id: 'o', base_url: server.baseUrl, kind: 'openai', heartbeat: true }),
    ]);
    const controller = new AbortController();
    const startedAt: number[] = [];
    const rounds = await runHeartbeat({
      ...options,
      intervalSec: 10,
      tickMs: 5,
      signal: controller.signal,
      onRound: () => {
        startedAt.push(clock.now().getTime());
        // Half an interval: the next tick must not start a round yet; the one after the full interval does.
        clock.advance(5_000);
        setTimeout(() => clock.advance(5_000), 30);
        if (startedAt.length === 3) controller.abort();
      },
    });
    expect(rounds).toBe(3);
    expect(startedAt.map((t) => t - startedAt[0]!)).toEqual([0, 10_000, 20_000]);
    expect(server.requests).toHaveLength(3);
  });

  it('an abort during the wait between rounds ends the loop without another round', async () => {
    const server = await startServer({ kind: 'openai' });
    const { options } = setup([
      endpoint({ id: 'o', base_url: server.baseUrl, kind: 'openai', heartbeat: true }),
    ]);
    const controller = new AbortController();
    const rounds = await runHeartbeat({
      ...options,
      clock: { now: () => new Date(), sleep: async () => undefined },
      intervalSec: 3600,
      signal: controller.signal,
      onRound: () => setTimeout(() => controller.abort(), 10),
    });
    expect(rounds).toBe(1);
    expect(server.requests).toHaveLength(1);
  });
});
