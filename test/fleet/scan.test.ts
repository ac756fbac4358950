import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EndpointConfig } from '../../src/config/fleet-schema.js';
import { fetchHttpClient } from '../../src/fleet/http.js';
import { probeFleet } from '../../src/fleet/probe-fleet.js';
import { scanFleet } from '../../src/fleet/scan.js';
import { scanDue } from '../../src/fleet/scan-schedule.js';
import { readFleetStatus } from '../../src/fleet/status-file.js';
import { buildEndpointViews } from '../../src/core/fleet/view.js';
import { HistoryStore } from '../../src/history/store.js';
import { FakeClock } from '../../src/util/clock.js';
import { endpoint, paths, startServer, tempDir } from './helpers.js';

function fleet(endpoints: EndpointConfig[], intervalSec = 600) {
  const dir = tempDir();
  const statusFile = path.join(dir, 'fleet_status.json');
  const clock = new FakeClock('2026-03-01T12:00:00.000Z');
  const history = new HistoryStore(
    path.join(dir, 'history.ndjson'),
    { maxBytes: 1 << 20, keepFiles: 1 },
    clock,
  );
  const scan = (force = false) =>
    scanFleet({ endpoints, statusFile, http: fetchHttpClient, clock, intervalSec, force, history });
  const probe = () =>
    probeFleet({
      endpoints,
      statusFile,
      hysteresis: { healthyAfter: 1, unhealthyAfter: 2 },
      concurrency: 8,
      http: fetchHttpClient,
      clock,
    });
  const events = () =>
    readFileSync(history.file, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { statusFile, clock, scan, probe, events };
}

describe('capability scan per backend', () => {
  it('LM Studio: context from /api/v0/models, loaded models, embeddings left out; parallel from config', async () => {
    const server = await startServer({
      kind: 'lmstudio',
      models: ['qwen-14b', 'llama-8b', 'nomic-embed'],
      loaded: ['qwen-14b'],
      embeddings: ['nomic-embed'],
      contextLength: 16384,
    });
    const { scan } = fleet([
      endpoint({ id: 'lms', base_url: server.baseUrl, kind: 'lmstudio', max_parallel: 3 }),
    ]);
    const { records } = await scan();
    expect(records[0]).toMatchObject({
      id: 'lms',
      kind: 'lmstudio',
      ok: true,
      models: ['qwen-14b', 'llama-8b'],
      loaded_models: ['qwen-14b'],
      context_tokens: { 'qwen-14b': 16384, 'llama-8b': 16384 },
      max_context_tokens: 16384,
      slots: null,
      configured_parallel: 3,
      recommended_parallel: 3,
      recommended_source: 'configured',
      effective_parallel: 3,
    });
  });

  it('Ollama: a loaded model has the context it was loaded with (/api/ps); otherwise /api/show model_info', async () => {
    const server = await startServer({
      kind: 'ollama',
      models: ['llama3:8b', 'qwen2:7b'],
      loaded: ['llama3:8b'],
      contextLength: 4096,
    });
    const { scan } = fleet([endpoint({ id: 'oll', base_url: server.url, kind: 'ollama' })]);
    expect((await scan()).records[0]).toMatchObject({
      ok: true,
      loaded_models: ['llama3:8b'],
      max_context_tokens: 4096,
      context_tokens: { 'llama3:8b': 4096 },
    });
    expect(server.requestsTo('/api/show')).toHaveLength(0);

    server.loaded = [];
    const cold = (await scan(true)).records[0]!;
    // The sandbox's trained maximum is 4 × the loaded context.
    expect(cold).toMatchObject({
      loaded_models: [],
      max_context_tokens: 16384,
      context_tokens: { 'llama3:8b': 16384, 'qwen2:7b': 16384 },
    });
    expect(
      server
        .requestsTo('/api/show')
        .map((r) => (r.body as { model: string }).model)
        .sort(),
    ).toEqual(['llama3:8b', 'qwen2:7b']);
  });

  it('llama.cpp: n_ctx and total_slots from /props; recommended = discovered slots, effective = min with configured', async () => {
    const four = await startServer({
      kind: 'llamacpp',
      models: ['q.gguf'],
      slots: 4,
      contextLength: 8192,
    });
    const one = await startServer({
      kind: 'llamacpp',
      models: ['r.gguf'],
      slots: 1,
      contextLength: 2048,
    });
    const { scan } = fleet([
      endpoint({ id: 'big', base_url: four.baseUrl, kind: 'llamacpp', max_parallel: 2 }),
      endpoint({ id: 'small', base_url: one.baseUrl, kind: 'llamacpp', max_parallel: 4 }),
    ]);
    const { records, section } = await scan();
    expect(records[0]).toMatchObject({
      slots: 4,
      max_context_tokens: 8192,
      models: ['q.gguf'],
      recommended_parallel: 4,
      recommended_source: 'discovered',
      effective_parallel: 2,
    });
    expect(records[1]).toMatchObject({
      slots: 1,
      max_context_tokens: 2048,
      recommended_parallel: 1,
      effective_parallel: 1,
    });
    expect(section.summary.by_endpoint.small).toMatchObject({
      recommended_parallel: 1,
      max_context_tokens: 2048,
      effective_parallel: 1,
    });
  });

  it('llama.cpp still loading: the scan fails (and is retried later)', async () => {
    const server = await startServer({ kind: 'llamacpp', behavior: 'loading' });
    const { scan } = fleet([endpoint({ id: 'l', base_url: server.baseUrl, kind: 'llamacpp' })]);
    expect((await scan()).records[0]).toMatchObject({
      ok: false,
      error_class: 'http_error',
      failures: 1,
    });
  });

  it('vLLM: max_model_len from /v1/models', async () => {
    const server = await startServer({
      kind: 'vllm',
      models: ['meta-llama/Llama-3-8B'],
      contextLength: 32768,
    });
    const { scan } = fleet([endpoint({ id: 'v', base_url: server.baseUrl, kind: 'vllm' })]);
    expect((await scan()).records[0]).toMatchObject({
      ok: true,
      max_context_tokens: 32768,
      loaded_models: ['meta-llama/Llama-3-8B'],
      slots: null,
    });
  });

  it('OpenAI-compatible: the model list only', async () => {
    const server = await startServer({ kind: 'openai', models: ['m'] });
    const { scan } = fleet([
      endpoint({ id: 'o', base_url: server.baseUrl, kind: 'openai', max_parallel: 2 }),
    ]);
    expect((await scan()).records[0]).toMatchObject({
      ok: true,
      models: ['m'],
      loaded_models: null,
      max_context_tokens: null,
      recommended_parallel: 2,
    });
  });

  it('auto: detects the backend and reads it as such', async () => {
    const server = await startServer({ kind: 'llamacpp', slots: 3 });
    const { scan } = fleet([endpoint({ id: 'x', base_url: server.baseUrl, max_parallel: 8 })]);
    expect((await scan()).records[0]).toMatchObject({
      kind: 'llamacpp',
      ok: true,
      slots: 3,
      effective_parallel: 3,
    });
  });

  it('spends no tokens and skips disabled endpoints', async () => {
    const servers = await Promise.all(
      (['lmstudio', 'ollama', 'llamacpp', 'vllm', 'openai'] as const).map((kind) =>
        startServer({ kind }),
      ),
    );
    const off = await startServer({ kind: 'openai' });
    const { scan } = fleet([
      ...servers.map((s, i) => endpoint({ id: `e${i}`, base_url: s.baseUrl, kind: s.kind })),
      endpoint({ id: 'off', base_url: off.baseUrl, enabled: false }),
    ]);
    const { records } = await scan();
    expect(records.map((r) => r.ok)).toEqual([true, true, true, true, true]);
    expect(servers.map((s) => s.completions)).toEqual([0, 0, 0, 0, 0]);
    expect(off.requests).toHaveLength(0);
  });
});

describe('fleet_status.json: scan and probe sections', () => {
  it('writes capability_scan in the original shape, each record with its own scanned_at', async () => {
    const server = await startServer({ kind: 'llamacpp', slots: 2 });
    const { scan, statusFile } = fleet([
      endpoint({ id: 'l', base_url: server.baseUrl, kind: 'llamacpp' }),
    ]);
    await scan();
    const status = readFleetStatus(statusFile)!;
    expect(status.capability_scan).toMatchObject({
      timestamp: '2026-03-01T12:00:00.000Z',
      summary: { by_endpoint: { l: { recommended_parallel: 2, max_context_tokens: 8192 } } },
      endpoints: [expect.objectContaining({ id: 'l', scanned_at: '2026-03-01T12:00:00.000Z' })],
    });
  });

  it('scan results survive the probes that follow, and the guard view uses them', async () => {
    const server = await startServer({ kind: 'llamacpp', slots: 1 });
    const endpoints = [
      endpoint({ id: 'l', base_url: server.baseUrl, kind: 'llamacpp', max_parallel: 4 }),
    ];
    const { scan, probe, statusFile, clock } = fleet(endpoints);
    await scan();
    const scanned = readFleetStatus(statusFile)!.capability_scan;
    clock.advance(120_000);
    await probe();
    server.behavior = 'fail';
    clock.advance(120_000);
    await probe();
    const status = readFleetStatus(statusFile)!;
    expect(status.probe?.timestamp).toBe(clock.now().toISOString());
    expect(status.capability_scan).toEqual(scanned);
    expect(buildEndpointViews(endpoints, status)[0]).toMatchObject({
      configuredMaxParallel: 4,
      recommendedParallel: 1,
      effectiveMaxParallel: 1,
    });
  });

  it('a scan keeps the probe section', async () => {
    const server = await startServer({ kind: 'openai' });
    const { scan, probe, statusFile, clock } = fleet([
      endpoint({ id: 'o', base_url: server.baseUrl, kind: 'openai' }),
    ]);
    await probe();
    const probed = readFleetStatus(statusFile)!.probe;
    clock.advance(5_000);
    await scan();
    expect(readFleetStatus(statusFile)!.probe).toEqual(probed);
  });
});

describe('scan schedule and backoff', () => {
  it('a failed scan backs off exponentially (kept in the status file) instead of retrying every cycle', async () => {
    const server = await startServer({ kind: 'llamacpp', slots: 2, behavior: 'fail' });
    const endpoints = [endpoint({ id: 'l', base_url: server.baseUrl, kind: 'llamacpp' })];
    const { scan, statusFile, clock } = fleet(endpoints, 600);
    const t0 = clock.now().getTime();
    const at = (sec: number) => new Date(t0 + sec * 1000).toISOString();

    expect((await scan()).records[0]).toMatchObject({
      ok: false,
      failures: 1,
      next_scan_at: at(60),
      last_success_at: null,
    });
    clock.advance(30_000);
    expect(scanDue(readFleetStatus(statusFile), clock.now(), 600, ['l'])).toBe(false);
    const requests = server.requests.length;
    expect((await scan()).scanned).toHaveLength(0);
    expect(server.requests).toHaveLength(requests);

    clock.set(at(60));
    expect(scanDue(readFleetStatus(statusFile), clock.now(), 600, ['l'])).toBe(true);
    expect((await scan()).records[0]).toMatchObject({
      ok: false,
      failures: 2,
      next_scan_at: at(60 + 120),
    });
    clock.set(at(180));
    expect((await scan()).records[0]).toMatchObject({ failures: 3, next_scan_at: at(180 + 240) });

    server.behavior = 'ok';
    clock.set(at(420));
    expect((await scan()).records[0]).toMatchObject({
      ok: true,
      failures: 0,
      next_scan_at: at(420 + 600),
      slots: 2,
    });
    expect(scanDue(readFleetStatus(statusFile), new Date(t0 + 1019_000), 600, ['l'])).toBe(false);
    expect(scanDue(readFleetStatus(statusFile), new Date(t0 + 1020_000), 600, ['l'])).toBe(true);
  });

  it('a failed scan after a good one keeps the last known capabilities', async () => {
    const server = await startServer({ kind: 'llamacpp', slots: 3 });
    const { scan, clock } = fleet([
      endpoint({ id: 'l', base_url: server.baseUrl, kind: 'llamacpp', max_parallel: 8 }),
    ]);
    await scan();
    server.behavior = 'fail';
    clock.advance(600_000);
    expect((await scan()).records[0]).toMatchObject({
      ok: false,
      slots: 3,
      recommended_parallel: 3,
      last_success_at: '2026-03-01T12:00:00.000Z',
      error_class: 'http_error',
    });
  });

  it('scanDue: nothing scanned yet, or an endpoint never scanned, is due', async () => {
    const server = await startServer({ kind: 'openai' });
    const { scan, statusFile, clock } = fleet([
      endpoint({ id: 'o', base_url: server.baseUrl, kind: 'openai' }),
    ]);
    expect(scanDue(null, clock.now(), 600)).toBe(true);
    await scan();
    const status = readFleetStatus(statusFile);
    expect(scanDue(status, clock.now(), 600)).toBe(false);
    expect(scanDue(status, clock.now(), 600, ['o', 'new-endpoint'])).toBe(true);
  });

  it('records capability_changed in the history only when capabilities change', async () => {
    const server = await startServer({ kind: 'llamacpp', slots: 2 });
    const { scan, events } = fleet([
      endpoint({ id: 'l', base_url: server.baseUrl, kind: 'llamacpp', max_parallel: 4 }),
    ]);
    await scan();
    await scan(true);
    server.slots = 1;
    await scan(true);
    const changes = events().filter((e) => e.type === 'capability_changed');
    expect(
      changes.map((e) => [
        e.from === null ? null : (e.from as { effective_parallel: number }).effective_parallel,
        e.effective_parallel,
      ]),
    ).toEqual([
      [null, 2],
      [2, 1],
    ]);
  });

  it('auto endpoints are scanned with the kind the probe detected', async () => {
    const server = await startServer({ kind: 'vllm' });
    const { scan, probe } = fleet([endpoint({ id: 'v', base_url: server.baseUrl })]);
    await probe();
    server.requests.length = 0;
    expect((await scan()).records[0]).toMatchObject({ kind: 'vllm', ok: true });
    expect(paths(server)).toEqual(['GET /v1/models']);
  });
});
