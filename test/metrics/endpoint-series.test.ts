// Per-endpoint series follow the configured endpoints: one removed from the config (by a reload, or
// before a restart) leaves no series behind to keep an alert firing.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { ModelServer } from '../../src/sandbox/model-server.js';
import { GuardService } from '../../src/serve/service.js';
import { systemClock } from '../../src/util/clock.js';
import { useModelServer } from '../helpers/model-server.js';
import { sample, sandboxService } from '../helpers/service.js';

const models = useModelServer();

/** Reload the daemon with these endpoints as its fleet file. */
function reloadWith(service: GuardService, root: string, endpoints: object[]): void {
  writeFileSync(path.join(root, 'config/local_model_fleet.json'), JSON.stringify({ endpoints }));
  expect(service.reload('test').ok).toBe(true);
}

/** Families with at least one series of the endpoint. */
function familiesOf(exposition: string, endpoint: string): string[] {
  return [...new Set(seriesOf(exposition, endpoint).map((line) => line.split('{')[0]!))].sort();
}

function seriesOf(exposition: string, endpoint: string): string[] {
  return exposition
    .split('\n')
    .filter((line) => !line.startsWith('#') && line.includes(`endpoint="${endpoint}"`));
}

describe('per-endpoint series', () => {
  it('an endpoint removed by a reload leaves no series behind', async () => {
    const { service, root } = sandboxService({
      endpoints: [
        { id: 'lm', base_url: models.server.baseUrl },
        { id: 'gone', base_url: models.dead },
      ],
      lanes: [],
    });
    await service.probe();
    await service.scan(true);
    await service.cycle({ trigger: 'manual' });
    const app = createApp(service);
    const before = (await request(app).get('/metrics')).text;
    expect(seriesOf(before, 'gone')).toContain('laneguard_endpoint_up{endpoint="gone"} 0');

    writeFileSync(
      path.join(root, 'config/local_model_fleet.json'),
      JSON.stringify({ endpoints: [{ id: 'lm', base_url: models.server.baseUrl }] }),
    );
    expect(service.reload('test').ok).toBe(true);
    const after = (await request(app).get('/metrics')).text;
    expect(seriesOf(after, 'gone')).toEqual([]);
    expect(seriesOf(after, 'lm')).toContain('laneguard_endpoint_up{endpoint="lm"} 1');
  });

  it('a restart does not export endpoints that fleet_status.json remembers but the config no longer has', async () => {
    const { service, root } = sandboxService({
      endpoints: [
        { id: 'lm', base_url: models.server.baseUrl },
        { id: 'gone', base_url: models.dead },
      ],
      lanes: [],
    });
    await service.probe();
    writeFileSync(
      path.join(root, 'config/local_model_fleet.json'),
      JSON.stringify({ endpoints: [{ id: 'lm', base_url: models.server.baseUrl }] }),
    );
    const restarted = new GuardService({
      root,
      clock: systemClock,
      version: '0.0.0-test',
      defaultMetrics: false,
      env: {},
    });
    const text = (await request(createApp(restarted)).get('/metrics')).text;
    expect(seriesOf(text, 'gone')).toEqual([]);
    expect(seriesOf(text, 'lm')).toContain('laneguard_endpoint_up{endpoint="lm"} 1');
  });

  it('keep-warm tokens of an endpoint that left the heartbeat state are no longer exported', async () => {
    const { service, root } = sandboxService({ endpoints: [], lanes: [] });
    const dir = path.join(root, 'artifacts/autonomy/local_models');
    mkdirSync(dir, { recursive: true });
    const write = (endpoints: object): void =>
      writeFileSync(
        path.join(dir, 'heartbeat_state.json'),
        JSON.stringify({ version: 1, updated_at: '2026-06-01T00:00:00.000Z', endpoints }),
      );
    write({
      remote: {
        endpoint: 'remote',
        ok: true,
        last_success_at: '2026-06-01T00:00:00.000Z',
        tokens_total: 5,
      },
    });
    service.refreshSideStates();
    const app = createApp(service);
    expect(seriesOf((await request(app).get('/metrics')).text, 'remote')).toContain(
      'laneguard_probe_tokens_total{endpoint="remote"} 5',
    );
    write({});
    service.refreshSideStates();
    expect(seriesOf((await request(app).get('/metrics')).text, 'remote')).toEqual([]);
  });

  it('an endpoint that went down no longer reports the models it had loaded', async () => {
    const ollama = await new ModelServer({
      kind: 'ollama',
      models: ['a', 'b'],
      loaded: ['a', 'b'],
    }).start();
    try {
      const { service } = sandboxService({
        endpoints: [{ id: 'ol', base_url: ollama.baseUrl, kind: 'ollama' }],
        lanes: [],
      });
      await service.probe();
      const app = createApp(service);
      expect(seriesOf((await request(app).get('/metrics')).text, 'ol')).toContain(
        'laneguard_endpoint_models_loaded{endpoint="ol"} 2',
      );
      ollama.behavior = 'fail';
      await service.probe();
      const down = seriesOf((await request(app).get('/metrics')).text, 'ol');
      expect(down).toContain('laneguard_endpoint_up{endpoint="ol"} 0');
      expect(down.filter((l) => l.startsWith('laneguard_endpoint_models_loaded'))).toEqual([]);
    } finally {
      await ollama.stop();
    }
  });

  it('a capability scan that was under way during the reload does not bring the removed endpoint back', async () => {
    const slow = await new ModelServer({
      kind: 'llamacpp',
      behavior: 'slow',
      delayMs: 800,
    }).start();
    try {
      const { service, root } = sandboxService({
        endpoints: [
          { id: 'lm', base_url: models.server.baseUrl },
          { id: 'gone', base_url: slow.baseUrl, kind: 'llamacpp' },
        ],
        lanes: [],
      });
      const scan = service.scan(true);
      await new Promise((r) => setTimeout(r, 200));
      writeFileSync(
        path.join(root, 'config/local_model_fleet.json'),
        JSON.stringify({ endpoints: [{ id: 'lm', base_url: models.server.baseUrl }] }),
      );
      expect(service.reload('test').ok).toBe(true);
      await scan;
      expect(seriesOf((await request(createApp(service)).get('/metrics')).text, 'gone')).toEqual(
        [],
      );
    } finally {
      await slow.stop();
    }
  });

  it('a reload that drops an endpoint removes every one of its series, in every family', async () => {
    const llama = await new ModelServer({
      kind: 'llamacpp',
      slots: 4,
      running: 1,
      waiting: 2,
      metricsEndpoint: true,
      contextLength: 8192,
    }).start();
    try {
      const { service, root } = sandboxService({
        endpoints: [
          { id: 'lm', base_url: models.server.baseUrl },
          {
            id: 'gone',
            base_url: llama.baseUrl,
            kind: 'llamacpp',
            canary: { model: 'test-model' },
          },
        ],
        lanes: [{ id: 'l1', urls: [llama.baseUrl], pending: 2 }],
        guard: { dry_run: true },
      });
      await service.probe();
      await service.scan(true);
      await service.cycle({ trigger: 'manual' });
      const app = createApp(service);
      const before = (await request(app).get('/metrics')).text;
      expect(familiesOf(before, 'gone')).toEqual([
        'laneguard_endpoint_context_tokens',
        'laneguard_endpoint_healthy',
        'laneguard_endpoint_info',
        'laneguard_endpoint_lanes_running',
        'laneguard_endpoint_lanes_with_work',
        'laneguard_endpoint_last_success_timestamp_seconds',
        'laneguard_endpoint_max_parallel',
        'laneguard_endpoint_models',
        'laneguard_endpoint_models_loaded',
        'laneguard_endpoint_probe_duration_seconds',
        'laneguard_endpoint_probes_total',
        'laneguard_endpoint_ready',
        'laneguard_endpoint_requests_running',
        'laneguard_endpoint_requests_waiting',
        'laneguard_endpoint_slots',
        'laneguard_endpoint_state',
        'laneguard_endpoint_up',
        'laneguard_endpoint_utilization_ratio',
        'laneguard_probe_tokens_total',
      ]);
      const probesBefore = sample(before, 'laneguard_endpoint_probes_total', {
        endpoint: 'lm',
        result: 'success',
      });

      reloadWith(service, root, [{ id: 'lm', base_url: models.server.baseUrl }]);
      const after = (await request(app).get('/metrics')).text;
      expect(seriesOf(after, 'gone')).toEqual([]);
      expect(sample(after, 'laneguard_endpoints_enabled')).toBe(1);
      expect(sample(after, 'laneguard_endpoints_healthy')).toBe(1);
      // The endpoints that stay keep their series, and their counters keep counting.
      await service.probe();
      const next = (await request(app).get('/metrics')).text;
      expect(
        sample(next, 'laneguard_endpoint_probes_total', { endpoint: 'lm', result: 'success' }),
      ).toBe(probesBefore! + 1);
      expect(seriesOf(next, 'gone')).toEqual([]);
      // Configured again: its probe counter goes on from where it was, never backwards.
      const goneBefore = sample(before, 'laneguard_endpoint_probes_total', {
        endpoint: 'gone',
        result: 'success',
      });
      reloadWith(service, root, [
        { id: 'lm', base_url: models.server.baseUrl },
        { id: 'gone', base_url: llama.baseUrl, kind: 'llamacpp' },
      ]);
      const back = (await request(app).get('/metrics')).text;
      expect(
        sample(back, 'laneguard_endpoint_probes_total', { endpoint: 'gone', result: 'success' }),
      ).toBe(goneBefore);
    } finally {
      await llama.stop();
    }
  });

  it('a probe round and a cycle under way during the reload do not bring the removed endpoint back', async () => {
    const slow = await new ModelServer({ behavior: 'slow', delayMs: 800 }).start();
    try {
      const { service, root } = sandboxService({
        endpoints: [
          { id: 'lm', base_url: models.server.baseUrl },
          { id: 'gone', base_url: slow.baseUrl },
        ],
        lanes: [{ id: 'l1', urls: [slow.baseUrl], pending: 1 }],
        guard: { dry_run: true },
      });
      // The cycle probes through the daemon's shared round, which waits on the slow endpoint.
      const cycle = service.cycle({ trigger: 'manual', forceProbe: true });
      await new Promise((r) => setTimeout(r, 200));
      reloadWith(service, root, [{ id: 'lm', base_url: models.server.baseUrl }]);
      const result = await cycle;
      // Both results arrived after the reload, and both still name the endpoint of the old config.
      expect(result.endpoints.map((e) => e.id)).toEqual(['lm', 'gone']);
      expect(service.lastProbe?.records.map((r) => r.id)).toEqual(['lm', 'gone']);
      const text = (await request(createApp(service)).get('/metrics')).text;
      expect(seriesOf(text, 'gone')).toEqual([]);
      expect(sample(text, 'laneguard_endpoint_up', { endpoint: 'lm' })).toBe(1);
      expect(sample(text, 'laneguard_endpoint_lanes_with_work', { endpoint: 'lm' })).toBe(0);
      expect(sample(text, 'laneguard_endpoints_healthy')).toBe(1);
    } finally {
      await slow.stop();
    }
  });
});
