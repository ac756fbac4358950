// The servers' own load, read with the probe: gauges follow vLLM's /metrics and llama.cpp's
// /slots, exist only where reported, and a saturated server gets no new lane.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { ModelServer } from '../../src/sandbox/model-server.js';
import { sample, sandboxService } from '../helpers/service.js';

const servers: ModelServer[] = [];
async function server(options: ConstructorParameters<typeof ModelServer>[0]): Promise<ModelServer> {
  const s = await new ModelServer(options).start();
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('server load', () => {
  it('gauges follow vLLM /metrics and llama.cpp /slots, and are absent where nothing is reported', async () => {
    const vllm = await server({ kind: 'vllm', running: 3, waiting: 0 });
    const llama = await server({ kind: 'llamacpp', slots: 4, running: 1 });
    const lmstudio = await server({ kind: 'lmstudio' });
    const { service } = sandboxService({
      endpoints: [
        { id: 'vl', base_url: vllm.baseUrl, kind: 'vllm' },
        { id: 'll', base_url: llama.baseUrl },
        { id: 'lm', base_url: lmstudio.baseUrl },
      ],
      lanes: [],
    });
    const app = createApp(service);
    await service.probe();
    let text = (await request(app).get('/metrics')).text;
    expect(sample(text, 'laneguard_endpoint_requests_running', { endpoint: 'vl' })).toBe(3);
    expect(sample(text, 'laneguard_endpoint_requests_waiting', { endpoint: 'vl' })).toBe(0);
    expect(
      sample(text, 'laneguard_endpoint_slots', { endpoint: 'vl', state: 'idle' }),
    ).toBeUndefined();
    expect(sample(text, 'laneguard_endpoint_slots', { endpoint: 'll', state: 'busy' })).toBe(1);
    expect(sample(text, 'laneguard_endpoint_slots', { endpoint: 'll', state: 'idle' })).toBe(3);
    expect(sample(text, 'laneguard_endpoint_requests_running', { endpoint: 'll' })).toBe(1);
    // llama.cpp without --metrics does not report its queue: no series, never 0.
    expect(sample(text, 'laneguard_endpoint_requests_waiting', { endpoint: 'll' })).toBeUndefined();
    expect(text).not.toMatch(
      /laneguard_endpoint_(requests_running|requests_waiting|slots)\{[^}]*endpoint="lm"/,
    );
    // The status API carries the same reading per endpoint (null where nothing is reported).
    const api = (await request(app).get('/api/v1/status').expect(200)).body as {
      endpoints: Array<{ id: string; load: unknown }>;
    };
    expect(Object.fromEntries(api.endpoints.map((e) => [e.id, e.load]))).toEqual({
      vl: { running: 3, waiting: 0, slots: null },
      ll: { running: 1, waiting: null, slots: { busy: 1, idle: 3 } },
      lm: null,
    });

    vllm.running = 0;
    vllm.waiting = 5;
    llama.running = 4;
    llama.metricsEndpoint = true;
    llama.waiting = 2;
    await service.probe();
    text = (await request(app).get('/metrics')).text;
    expect(sample(text, 'laneguard_endpoint_requests_running', { endpoint: 'vl' })).toBe(0);
    expect(sample(text, 'laneguard_endpoint_requests_waiting', { endpoint: 'vl' })).toBe(5);
    expect(sample(text, 'laneguard_endpoint_slots', { endpoint: 'll', state: 'idle' })).toBe(0);
    expect(sample(text, 'laneguard_endpoint_requests_waiting', { endpoint: 'll' })).toBe(2);

    // Started with --no-slots and without --metrics: llama.cpp says nothing about its load.
    llama.slotsEndpoint = false;
    llama.metricsEndpoint = false;
    vllm.behavior = 'fail';
    await service.probe();
    text = (await request(app).get('/metrics')).text;
    expect(text).not.toMatch(
      /laneguard_endpoint_(requests_running|requests_waiting|slots)\{[^}]*endpoint="(ll|vl)"/,
    );
  });

  it('a server with waiting requests gets no new lane: endpoint_saturated in the report and the history', async () => {
    const vllm = await server({ kind: 'vllm', running: 2, waiting: 1 });
    const { service, root } = sandboxService({
      endpoints: [{ id: 'vl', base_url: vllm.baseUrl, kind: 'vllm', max_parallel: 4 }],
      lanes: [{ id: 'l1', urls: [vllm.baseUrl], pending: 3 }],
    });
    const result = await service.cycle({ trigger: 'manual' });
    expect(result.report.started).toEqual([]);
    expect(result.report.skipped).toEqual([{ id: 'l1', reason: 'endpoint_saturated' }]);
    const history = readFileSync(
      path.join(root, 'artifacts/autonomy/local_models/idle_guard_history.ndjson'),
      'utf8',
    );
    const cycle = history
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e.type === 'cycle');
    expect(cycle?.skipped).toEqual({ endpoint_saturated: 1 });
    const text = (await request(createApp(service)).get('/metrics')).text;
    expect(sample(text, 'laneguard_recovery_skips_total', { reason: 'endpoint_saturated' })).toBe(
      1,
    );
  });
});
