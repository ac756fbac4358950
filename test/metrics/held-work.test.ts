// Work an operator holds on purpose is not demand, and endpoint URLs never carry credentials out.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { useModelServer } from '../helpers/model-server.js';
import { sample, sandboxService } from '../helpers/service.js';

const models = useModelServer();

describe('held work', () => {
  it('a fleet whose only work is held is not idle while demand exists; the work is counted apart', async () => {
    const { service } = sandboxService({
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [
        {
          id: 'held',
          urls: [models.server.baseUrl],
          pending: 2,
          pause: { text: 'hold: model swap', ageSec: 3600 },
        },
        { id: 'nowork', urls: [models.server.baseUrl], pending: 0 },
      ],
    });
    const result = await service.cycle({ trigger: 'manual' });
    expect(result.report.local_running_after).toBe(0);
    expect(result.report.idle_while_demand).toBe(false);
    const text = (await request(createApp(service)).get('/metrics')).text;
    expect(sample(text, 'laneguard_fleet_idle')).toBe(0);
    expect(sample(text, 'laneguard_local_held_work')).toBe(2);
    expect(sample(text, 'laneguard_local_pending_work')).toBe(0);
    expect(sample(text, 'laneguard_lanes_starved')).toBe(0);
  });

  it('work of a lane that is not held still is demand', async () => {
    const { service } = sandboxService({
      guard: { dry_run: true },
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [
        {
          id: 'held',
          urls: [models.server.baseUrl],
          pending: 2,
          pause: { text: 'hold', ageSec: 3600 },
        },
        {
          id: 'fresh',
          urls: [models.server.baseUrl],
          pending: 1,
          pause: { text: 'manual', ageSec: 10 },
        },
      ],
    });
    const result = await service.cycle({ trigger: 'manual' });
    expect(result.report.idle_while_demand).toBe(true);
    const text = (await request(createApp(service)).get('/metrics')).text;
    expect(sample(text, 'laneguard_fleet_idle')).toBe(1);
    expect(sample(text, 'laneguard_local_held_work')).toBe(2);
    expect(sample(text, 'laneguard_local_pending_work')).toBe(1);
  });
});

describe('endpoint URLs with credentials', () => {
  it('laneguard_endpoint_info and the status API show base_url without user or password; the probe sends them as basic auth', async () => {
    const secretUrl = models.server.baseUrl.replace('http://', 'http://alice:s3cret-pw@');
    const { service } = sandboxService({
      endpoints: [{ id: 'lm', base_url: secretUrl }],
      lanes: [],
    });
    await service.probe();
    const app = createApp(service);
    const text = (await request(app).get('/metrics')).text;
    const info = text.split('\n').filter((l) => l.startsWith('laneguard_endpoint_info{'));
    expect(info).toHaveLength(1);
    expect(info[0]).toContain(
      `base_url="${models.server.baseUrl.replace('http://', 'http://REDACTED@')}"`,
    );
    expect(sample(text, 'laneguard_endpoint_up', { endpoint: 'lm' })).toBe(1);
    const status = JSON.stringify((await request(app).get('/api/v1/status')).body);
    for (const secret of ['s3cret-pw', 'alice']) {
      expect(text).not.toContain(secret);
      expect(status).not.toContain(secret);
    }
  });
});
