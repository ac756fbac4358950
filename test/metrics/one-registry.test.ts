import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/registry.js';
import { renderMetrics } from '../../src/metrics/render.js';
import { useModelServer } from '../helpers/model-server.js';
import { sample, sandboxService } from '../helpers/service.js';

const models = useModelServer();

describe('one registry', () => {
  it("prom-client's process metrics are registered once, unprefixed", async () => {
    const m = createMetrics({ version: 't' });
    const { body } = await renderMetrics(m, false);
    expect(body.match(/^# TYPE process_cpu_seconds_total counter$/gm)).toHaveLength(1);
    expect(body.match(/^# TYPE nodejs_heap_size_used_bytes gauge$/gm)).toHaveLength(1);
    expect(body).not.toMatch(/^(# TYPE )?laneguard_(process|nodejs)_/m);
    // Gauges named *_total would fail exposition linting.
    expect(body).not.toMatch(/^nodejs_active_handles_total/m);
  });

  it('renders OpenMetrics and the text format from the same registry, in any order, without renaming counters for good', async () => {
    const m = createMetrics({ version: 't', defaultMetrics: false });
    m.cycles.inc({ trigger: 'manual', result: 'ok' });
    const [open, text] = await Promise.all([renderMetrics(m, true), renderMetrics(m, false)]);
    expect(open.contentType).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(open.body).toMatch(/^# TYPE laneguard_cycles counter$/m);
    expect(open.body).toMatch(/^laneguard_cycles_total\{trigger="manual",result="ok"\} 1$/m);
    expect(open.body.endsWith('# EOF\n')).toBe(true);
    expect(text.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text.body).toMatch(/^# TYPE laneguard_cycles_total counter$/m);
    expect(text.body).not.toContain('# EOF');
    expect((await renderMetrics(m, false)).body).toBe(text.body);
  });

  it('lane series come from the latest cycle at scrape time; a lane that left has none', async () => {
    const url = models.server.baseUrl;
    const { service, root } = sandboxService({
      endpoints: [{ id: 'lm', base_url: url }],
      lanes: [
        { id: 'l1', urls: [url], pending: 2 },
        { id: 'l2', urls: [url], pending: 1 },
      ],
      guard: { dry_run: true },
    });
    await service.cycle({ trigger: 'manual' });
    let body = (await renderMetrics(service.metrics, false)).body;
    expect(sample(body, 'laneguard_lane_work_items', { lane: 'l1', state: 'pending' })).toBe(2);
    expect(sample(body, 'laneguard_lane_running', { lane: 'l2' })).toBe(0);

    // Two cycles with no scrape between them: the scrape shows the second.
    writeFileSync(
      path.join(root, 'config/lanes.json'),
      JSON.stringify({
        version: 1,
        lanes: [
          {
            id: 'l1',
            tasks_file: 'artifacts/tasks/l1.json',
            env: { ORXAQ_LOCAL_OPENAI_BASE_URLS: url },
          },
        ],
      }),
    );
    await service.cycle({ trigger: 'manual' });
    writeFileSync(
      path.join(root, 'artifacts/tasks/l1.json'),
      JSON.stringify([{ id: 'a' }, { id: 'b' }, { id: 'c' }]),
    );
    await service.cycle({ trigger: 'manual' });
    body = (await renderMetrics(service.metrics, false)).body;
    expect(sample(body, 'laneguard_lane_work_items', { lane: 'l1', state: 'pending' })).toBe(3);
    expect(body).not.toContain('lane="l2"');
    expect(sample(body, 'laneguard_cycles_total', { trigger: 'manual', result: 'ok' })).toBe(3);
  });
});
