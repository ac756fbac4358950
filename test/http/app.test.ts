import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { sample, sandboxService, TOKEN } from '../helpers/service.js';
import { jsonFileText } from '../../src/store/json-text.js';
import { FakeClock } from '../../src/util/clock.js';
import { ModelServer } from '../../src/sandbox/model-server.js';
import { useModelServer } from '../helpers/model-server.js';

const models = useModelServer();

const fleet = () => ({
  endpoints: [
    { id: 'lm', base_url: models.server.baseUrl, max_parallel: 2 },
    { id: 'dead', base_url: models.dead },
  ],
  lanes: [
    { id: 'starved', urls: [models.server.baseUrl], pending: 2, continuous: true },
    {
      id: 'held',
      urls: [models.server.baseUrl],
      pending: 1,
      pause: { text: 'manual hold', ageSec: 100 },
    },
    { id: 'nowork', urls: [models.server.baseUrl] },
  ],
});

describe('HTTP app', () => {
  it('serves health always and readiness only after the first cycle', async () => {
    const { service } = sandboxService(fleet());
    const app = createApp(service);
    await request(app).get('/-/healthy').expect(200);
    const notReady = await request(app).get('/-/ready').expect(503);
    expect(notReady.text).toMatch(/no guard cycle has completed yet/);
    await service.cycle({ trigger: 'manual' });
    await request(app).get('/-/ready').expect(200);
  });

  it('exports metrics that reflect the cycle: the started lane runs, the held one waits', async () => {
    const { service } = sandboxService(fleet());
    const app = createApp(service);
    const before = await request(app).get('/metrics').expect(200);
    expect(before.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(before.text, 'laneguard_build_info', { version: '0.0.0-test' })).toBe(1);
    expect(sample(before.text, 'laneguard_config_last_reload_successful')).toBe(1);
    await service.cycle({ trigger: 'manual' });
    const after = (await request(app).get('/metrics').expect(200)).text;
    expect(sample(after, 'laneguard_lane_running', { lane: 'starved' })).toBe(1);
    expect(sample(after, 'laneguard_lane_running', { lane: 'held' })).toBe(0);
    expect(sample(after, 'laneguard_lane_pause_held', { lane: 'held' })).toBe(1);
    expect(
      sample(after, 'laneguard_lane_pause_age_seconds', { lane: 'held' }),
    ).toBeGreaterThanOrEqual(100);
    expect(sample(after, 'laneguard_lane_pause_age_seconds', { lane: 'starved' })).toBeUndefined();
    expect(
      sample(after, 'laneguard_lane_starts_total', {
        lane: 'starved',
        trigger: 'manual',
        result: 'success',
      }),
    ).toBe(1);
    expect(
      sample(after, 'laneguard_recovery_actions_total', { action: 'start', result: 'success' }),
    ).toBe(1);
    expect(sample(after, 'laneguard_recovery_skips_total', { reason: 'pause_held' })).toBe(1);
    expect(sample(after, 'laneguard_local_lanes', { state: 'running' })).toBe(1);
    expect(sample(after, 'laneguard_local_lanes', { state: 'paused' })).toBe(1);
    expect(sample(after, 'laneguard_local_lanes', { state: 'total' })).toBe(3);
    expect(sample(after, 'laneguard_fleet_idle')).toBe(0);
    expect(sample(after, 'laneguard_endpoint_healthy', { endpoint: 'lm' })).toBe(1);
    expect(sample(after, 'laneguard_endpoint_state', { endpoint: 'dead', state: 'down' })).toBe(1);
    expect(sample(after, 'laneguard_endpoint_state', { endpoint: 'dead', state: 'up' })).toBe(0);
    expect(
      sample(after, 'laneguard_endpoint_probes_total', { endpoint: 'dead', result: 'refused' }),
    ).toBe(1);
    expect(sample(after, 'laneguard_endpoint_lanes_running', { endpoint: 'lm' })).toBe(1);
    expect(sample(after, 'laneguard_endpoint_utilization_ratio', { endpoint: 'lm' })).toBe(0.5);
    expect(sample(after, 'laneguard_endpoints_healthy')).toBe(1);
    expect(sample(after, 'laneguard_cycles_total', { trigger: 'manual', result: 'ok' })).toBe(1);
    expect(
      sample(after, 'laneguard_anomaly_active', { anomaly: 'persistent_idle_condition' }),
    ).toBe(0);
    expect(sample(after, 'laneguard_cycle_duration_seconds_count')).toBe(1);
  });

  it('answers a scrape from memory while the fleet root is gone', async () => {
    const { service, root } = sandboxService(fleet());
    const app = createApp(service);
    await service.cycle({ trigger: 'manual' });
    const before = (await request(app).get('/metrics')).text;
    rmSync(root, { recursive: true, force: true });
    writeFileSync(root, 'not a directory any more');
    const after = await request(app).get('/metrics').expect(200);
    expect(sample(after.text, 'laneguard_lane_running', { lane: 'starved' })).toBe(
      sample(before, 'laneguard_lane_running', { lane: 'starved' }),
    );
    rmSync(root, { force: true });
  });

  it('speaks OpenMetrics when asked, and plain text keeps its counter names afterwards', async () => {
    const { service } = sandboxService(fleet());
    const app = createApp(service);
    await service.cycle({ trigger: 'manual' });
    const om = await request(app)
      .get('/metrics')
      .set('accept', 'application/openmetrics-text; version=1.0.0')
      .expect(200);
    expect(om.headers['content-type']).toMatch(/^application\/openmetrics-text/);
    expect(om.text.trimEnd().endsWith('# EOF')).toBe(true);
    expect(om.text).toMatch(/^# TYPE laneguard_cycles counter$/m);
    const text = (await request(app).get('/metrics')).text;
    expect(text).toMatch(/^# TYPE laneguard_cycles_total counter$/m);
  });

  it('serves the status API with the documented fields', async () => {
    const { service } = sandboxService(fleet());
    await service.cycle({ trigger: 'manual' });
    const res = await request(createApp(service)).get('/api/v1/status').expect(200);
    expect(res.body).toMatchObject({
      version: expect.any(String),
      mode: 'hybrid',
      ready: true,
      anomalies: [],
      state: { consecutive_idle_cycles: 0 },
      last_cycle: { trigger: 'manual', started_count: 1 },
    });
    expect(res.body.endpoints).toEqual([
      expect.objectContaining({
        id: 'lm',
        base_url: models.server.baseUrl,
        kind: expect.any(String),
        state: 'up',
        healthy: true,
        latency_ms: expect.any(Number),
      }),
      expect.objectContaining({ id: 'dead', state: 'down', healthy: false }),
    ]);
    const held = res.body.lanes.find((l: { id: string }) => l.id === 'held');
    expect(held).toMatchObject({
      running: false,
      paused: true,
      pause_held: true,
      pause_stale: false,
      work: { pending: 1 },
      starved: false,
      backoff_sec: 0,
      reason: 'pause_held',
    });
    expect(res.body.lanes.find((l: { id: string }) => l.id === 'starved')).toMatchObject({
      running: true,
      starved: false,
    });
  });

  it('queries history with filters and rejects bad ones', async () => {
    const { service } = sandboxService(fleet());
    await service.cycle({ trigger: 'manual' });
    const app = createApp(service);
    const started = await request(app).get('/api/v1/history?type=lane_started').expect(200);
    expect(started.body.events).toEqual([
      expect.objectContaining({ type: 'lane_started', lane: 'starved' }),
    ]);
    const limited = await request(app).get('/api/v1/history?limit=1').expect(200);
    expect(limited.body.events).toHaveLength(1);
    expect(
      (await request(app).get('/api/v1/history?lane=held&type=lane_started')).body.events,
    ).toEqual([]);
    await request(app).get('/api/v1/history?since=whenever').expect(400);
    await request(app).get('/api/v1/history?lane=../x').expect(400);
    await request(app).get('/api/v1/history?limit=0').expect(400);
  });

  it('answers repeated history query parameters with 400, not a server error', async () => {
    const { service } = sandboxService(fleet());
    const app = createApp(service);
    for (const query of [
      'type=cycle&type=lane_started',
      'since=1h&since=2h',
      'limit=1&limit=2',
      'lane=a&lane=b',
    ]) {
      const res = await request(app).get(`/api/v1/history?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error, query).toBe('bad_request');
    }
  });

  it('triggers a cycle only with the token', async () => {
    const { service } = sandboxService(fleet());
    const app = createApp(service);
    await request(app).post('/api/v1/cycle').expect(401);
    await request(app).post('/api/v1/cycle').set('authorization', 'Bearer wrong').expect(401);
    await request(app)
      .post('/api/v1/cycle')
      .set('authorization', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`)
      .expect(401);
    const res = await request(app)
      .post('/api/v1/cycle?wait=1&dry_run=1')
      .set('authorization', `Bearer ${TOKEN}`)
      .expect(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    // The report as the report file holds it.
    expect(res.text).toBe(jsonFileText(res.body));
    expect(res.body).toMatchObject({
      trigger: 'manual',
      dry_run: true,
      started: [expect.objectContaining({ id: 'starved', dry_run: true })],
    });
    await request(app).post('/api/v1/cycle').set('authorization', `Bearer ${TOKEN}`).expect(202);
  });

  it('refuses to trigger cycles when no token is configured at all', async () => {
    const { service } = sandboxService(fleet(), { token: false });
    const res = await request(createApp(service))
      .post('/api/v1/cycle')
      .set('authorization', 'Bearer anything')
      .expect(403);
    expect(res.body.error).toBe('auth_unconfigured');
  });

  it('reloads a valid config and keeps the old one when the new one is invalid', async () => {
    const clock = new FakeClock('2026-03-01T00:00:00.000Z');
    const { service, root } = sandboxService(fleet(), { clock });
    const app = createApp(service);
    const lastGood = async (): Promise<number | undefined> =>
      sample(
        (await request(app).get('/metrics')).text,
        'laneguard_config_last_reload_success_timestamp_seconds',
      );
    expect(await lastGood()).toBe(Date.parse('2026-03-01T00:00:00.000Z') / 1000);
    clock.advance(60_000);
    const file = path.join(root, 'config/local_model_idle_guard.json');
    writeFileSync(
      file,
      JSON.stringify({ intervl_sec: 3, server: { token_file: 'config/webhook.token' } }),
    );
    const bad = await request(app)
      .post('/-/reload')
      .set('authorization', `Bearer ${TOKEN}`)
      .expect(400);
    expect(bad.body.message).toMatch(/intervl_sec: unknown key; did you mean "interval_sec"\?/);
    expect(service.config.guard.interval_sec).toBe(5);
    expect(
      sample((await request(app).get('/metrics')).text, 'laneguard_config_last_reload_successful'),
    ).toBe(0);
    expect(await lastGood()).toBe(Date.parse('2026-03-01T00:00:00.000Z') / 1000);
    writeFileSync(
      file,
      JSON.stringify({ interval_sec: 7, server: { token_file: 'config/webhook.token' } }),
    );
    await request(app).post('/-/reload').set('authorization', `Bearer ${TOKEN}`).expect(200);
    expect(service.config.guard.interval_sec).toBe(7);
    expect(
      sample((await request(app).get('/metrics')).text, 'laneguard_config_last_reload_successful'),
    ).toBe(1);
    expect(await lastGood()).toBe(Date.parse('2026-03-01T00:01:00.000Z') / 1000);
    await request(app).post('/-/reload').expect(401);
  });

  it('serves runbooks by alert name only', async () => {
    const { service } = sandboxService(fleet());
    const app = createApp(service);
    const page = await request(app).get('/runbooks/LaneguardFleetIdleWhileDemand').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toMatch(/LaneguardFleetIdleWhileDemand/);
    await request(app).get('/runbooks/..%2F..%2Fpackage.json').expect(404);
    await request(app).get('/runbooks/LaneguardNoSuchAlert').expect(404);
    // The name of the file in the docs works too, so one runbook base URL fits both.
    const md = await request(app)
      .get('/runbooks/LaneguardWebhookAuthFailing.md')
      .set('accept', 'text/markdown')
      .expect(200);
    expect(md.text.split('\n')[0]).toBe('# LaneguardWebhookAuthFailing');
    await request(app).get('/runbooks/LaneguardNoSuchAlert.md').expect(404);
  });

  it('answers unknown routes with JSON 404', async () => {
    const { service } = sandboxService(fleet());
    const res = await request(createApp(service)).get('/nope').expect(404);
    expect(res.body).toEqual({ error: 'not_found', message: 'no route GET /nope' });
  });
});

describe('metrics from scans and other laneguard processes', () => {
  it("exports scanned capacity and the heartbeat daemon's results", async () => {
    const llama = await new ModelServer({
      kind: 'llamacpp',
      slots: 1,
      contextLength: 4096,
    }).start();
    try {
      const { service, root } = sandboxService({
        endpoints: [{ id: 'llama', base_url: llama.baseUrl, kind: 'llamacpp', max_parallel: 3 }],
        lanes: [],
      });
      const scan = await service.scan(true);
      expect(scan?.records.map((r) => r.id)).toEqual(['llama']);
      expect(await service.scan()).toBeNull();
      writeFileSync(
        path.join(root, 'artifacts/autonomy/local_models/heartbeat_state.json'),
        JSON.stringify({
          version: 1,
          updated_at: '2026-06-01T00:00:00.000Z',
          endpoints: {
            llama: {
              endpoint: 'llama',
              ok: false,
              last_success_at: '2026-06-01T00:00:00.000Z',
              tokens_total: 7,
            },
          },
        }),
      );
      service.refreshSideStates();
      const text = (await request(createApp(service)).get('/metrics')).text;
      expect(
        sample(text, 'laneguard_endpoint_max_parallel', {
          endpoint: 'llama',
          source: 'configured',
        }),
      ).toBe(3);
      expect(
        sample(text, 'laneguard_endpoint_max_parallel', {
          endpoint: 'llama',
          source: 'recommended',
        }),
      ).toBe(1);
      expect(
        sample(text, 'laneguard_endpoint_max_parallel', { endpoint: 'llama', source: 'effective' }),
      ).toBe(1);
      expect(sample(text, 'laneguard_endpoint_context_tokens', { endpoint: 'llama' })).toBe(4096);
      expect(sample(text, 'laneguard_heartbeat_success', { endpoint: 'llama' })).toBe(0);
      expect(
        sample(text, 'laneguard_heartbeat_last_success_timestamp_seconds', { endpoint: 'llama' }),
      ).toBe(Date.parse('2026-06-01T00:00:00.000Z') / 1000);
      expect(sample(text, 'laneguard_probe_tokens_total', { endpoint: 'llama' })).toBe(7);
    } finally {
      await llama.stop();
    }
  });
});
