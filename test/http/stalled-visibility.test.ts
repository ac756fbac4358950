// A stalled lane as the daemon shows it: metrics, /api/v1/status and the status page, from a real
// service on a sandbox root whose lane worker hangs (a real process).
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { runArgv } from '../../src/process/index.js';
import { sandboxScript } from '../../src/sandbox/paths.js';
import { waitFor } from '../helpers/cli.js';
import { useModelServer } from '../helpers/model-server.js';
import { sample, sandboxService } from '../helpers/service.js';
import { laneWorkers } from '../helpers/tmp.js';

const models = useModelServer();

describe('a stalled lane on /metrics, /api/v1/status and the status page', () => {
  it('is shown stalled with how long, and counted; a heartbeating lane is not', async () => {
    const { service, root } = sandboxService({
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl, max_parallel: 4 }],
      lanes: [
        {
          id: 'hung',
          urls: [models.server.baseUrl],
          pending: 2,
          continuous: true,
          sandbox: { hang_after_ms: 300, task_ms: 60_000 },
        },
        {
          id: 'alive',
          urls: [models.server.baseUrl],
          pending: 2,
          continuous: true,
          sandbox: { worker: 'idle' },
        },
      ],
      // Reported only: nothing restarts it here.
      guard: { stalled_after_sec: 2, restart_stalled: false },
    });
    for (const id of ['hung', 'alive']) {
      const r = await runArgv(
        [process.execPath, sandboxScript('fleetctl'), '--root', root, 'lane-start', '--lane', id],
        { timeoutMs: 20_000 },
      );
      expect(r.ok, r.output).toBe(true);
      await waitFor(() => laneWorkers(root, id)[0], `${id} worker`);
    }
    const app = createApp(service);
    await service.cycle({ trigger: 'manual' });
    const before = (await request(app).get('/metrics')).text;
    expect(sample(before, 'laneguard_lane_stalled', { lane: 'hung' })).toBe(0);
    expect(sample(before, 'laneguard_lanes_stalled')).toBe(0);

    await new Promise((r) => setTimeout(r, 2700));
    await service.cycle({ trigger: 'manual' });
    const text = (await request(app).get('/metrics')).text;
    expect(sample(text, 'laneguard_lane_stalled', { lane: 'hung' })).toBe(1);
    expect(sample(text, 'laneguard_lane_stalled', { lane: 'alive' })).toBe(0);
    expect(sample(text, 'laneguard_lanes_stalled')).toBe(1);

    const status = await request(app).get('/api/v1/status').expect(200);
    const lanes = status.body.lanes as Array<{
      id: string;
      stalled: boolean;
      stalled_sec: number | null;
      running: boolean;
      reason: string | null;
    }>;
    expect(lanes.find((l) => l.id === 'hung')).toMatchObject({
      running: true,
      stalled: true,
      stalled_sec: expect.any(Number),
      reason: 'restart_not_enabled',
    });
    expect(lanes.find((l) => l.id === 'hung')!.stalled_sec).toBeGreaterThanOrEqual(2);
    expect(lanes.find((l) => l.id === 'alive')).toMatchObject({
      running: true,
      stalled: false,
      stalled_sec: null,
    });
    expect(status.body.last_cycle.stalled).toEqual([
      expect.objectContaining({ id: 'hung', action: 'restart_not_enabled' }),
    ]);

    const page = (await request(app).get('/').expect(200)).text;
    expect(page).toMatch(/stalled \d+s/);
    expect(page).toContain('/runbooks/LaneguardLaneStalled');
  });
});
