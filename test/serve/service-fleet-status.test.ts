// The daemon's in-memory view of fleet_status.json only moves forward: a cycle that read the file
// before a newer probe round finished must not put the older results back.
import { describe, expect, it } from 'vitest';
import { useModelServer } from '../helpers/model-server.js';
import { sandboxService } from '../helpers/service.js';

const models = useModelServer();

describe('GuardService fleet status', () => {
  it('a probe round that finishes during a cycle is not undone when the cycle ends', async () => {
    const { service } = sandboxService({
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [],
      guard: {
        fleet_probe_interval_sec: 600,
        unhealthy_after: 1,
        // A slow ensure keeps the cycle running while the next probe round happens.
        lanes: { ensure_command: [process.execPath, '-e', 'setTimeout(() => {}, 1500)'] },
      },
    });
    try {
      await service.probe();
      expect(service.endpointViews()[0]).toMatchObject({ state: 'up', healthy: true });

      const cycle = service.cycle({ trigger: 'manual' });
      await new Promise((r) => setTimeout(r, 300));
      models.server.behavior = 'fail';
      await service.probe();
      expect(service.endpointViews()[0]).toMatchObject({ state: 'down', healthy: false });

      const result = await cycle;
      expect(result.report.ensure.ran).toBe(true);
      expect(service.endpointViews()[0]).toMatchObject({ state: 'down', healthy: false });
    } finally {
      models.server.behavior = 'ok';
    }
  });
});
