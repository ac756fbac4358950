// One scrape shows one cycle: a cycle that ends while a scrape is being prepared or written does
// not leave the guard gauges and the lane families of that scrape showing different results.
import { describe, expect, it } from 'vitest';
import type { CycleResult } from '../../src/guard/cycle.js';
import { publishCycle } from '../../src/metrics/publish.js';
import { createMetrics } from '../../src/metrics/registry.js';
import { renderMetrics } from '../../src/metrics/render.js';
import { useModelServer } from '../helpers/model-server.js';
import { sample, sandboxService } from '../helpers/service.js';

const models = useModelServer();
const NOW = new Date('2026-06-01T12:00:00.000Z');

/** The real result of a one-lane cycle, and the same result grown to `n` lanes. */
async function results(n: number): Promise<{ small: CycleResult; big: CycleResult }> {
  const url = models.server.baseUrl;
  const { service } = sandboxService({
    endpoints: [{ id: 'lm', base_url: url }],
    lanes: [{ id: 'l1', urls: [url], pending: 2 }],
    guard: { dry_run: true },
  });
  const small = await service.cycle({ trigger: 'manual' });
  const ids = Array.from({ length: n }, (_, i) => `lane-${i}`);
  const big: CycleResult = {
    ...small,
    lanes: ids.map((id) => ({ ...small.lanes[0]!, id })),
    plan: {
      ...small.plan,
      localLaneIds: ids,
      decisions: ids.map((id) => ({ ...small.plan.decisions[0]!, id })),
    },
  };
  return { small, big };
}

const laneSeries = (body: string): number =>
  body.split('\n').filter((l) => l.startsWith('laneguard_lane_running{')).length;

describe('a scrape while a cycle ends', () => {
  it('shows the same cycle in the guard gauges and the lane families', async () => {
    // Large enough that preparing the gauges' values and writing the families hand the loop back.
    const { small, big } = await results(30_000);
    const m = createMetrics({ version: 't', defaultMetrics: false });
    publishCycle(m, big, NOW);
    // The next cycle ends on a later turn of the event loop, while the scrape is under way.
    setImmediate(() => publishCycle(m, small, NOW));
    const during = (await renderMetrics(m, false)).body;
    expect(laneSeries(during)).toBe(sample(during, 'laneguard_local_lanes', { state: 'total' }));
    const after = (await renderMetrics(m, false)).body;
    expect(sample(after, 'laneguard_local_lanes', { state: 'total' })).toBe(1);
    expect(laneSeries(after)).toBe(1);
  });
});
