// Counters of a cycle's actions and skips: one addition per label value, however many lanes.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { sample, sandboxService } from '../helpers/service.js';
import { useModelServer } from '../helpers/model-server.js';

const models = useModelServer();

describe('recovery counters of one cycle', () => {
  it('count every skip and every dry-run start, per reason and result', async () => {
    const held = (id: string) => ({
      id,
      urls: [models.server.baseUrl],
      pending: 1,
      pause: { text: 'manual hold', ageSec: 100 },
    });
    const { service } = sandboxService({
      guard: { dry_run: true },
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl, max_parallel: 8 }],
      lanes: [
        held('h1'),
        held('h2'),
        held('h3'),
        { id: 's1', urls: [models.server.baseUrl], pending: 2 },
        { id: 's2', urls: [models.server.baseUrl], pending: 2 },
      ],
    });
    const app = createApp(service);
    const result = await service.cycle({ trigger: 'manual' });
    const skipped = result.report.skipped.filter((s) => s.reason === 'pause_held');
    expect(skipped.map((s) => s.id).sort()).toEqual(['h1', 'h2', 'h3']);
    expect(result.report.started.map((s) => [s.id, s.dry_run]).sort()).toEqual([
      ['s1', true],
      ['s2', true],
    ]);
    await service.cycle({ trigger: 'manual' });
    const text = (await request(app).get('/metrics').expect(200)).text;
    expect(sample(text, 'laneguard_recovery_skips_total', { reason: 'pause_held' })).toBe(6);
    expect(
      sample(text, 'laneguard_recovery_actions_total', { action: 'start', result: 'dry_run' }),
    ).toBe(4);
    expect(
      sample(text, 'laneguard_recovery_actions_total', { action: 'start', result: 'success' }),
    ).toBeUndefined();
  });
});
