// `GET /` through the real app on a real sandbox root: headers, memory + history file, escaping.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { refreshSeconds } from '../../src/http/routes/status-page.js';
import { sandboxService } from '../helpers/service.js';
import { useModelServer } from '../helpers/model-server.js';

const models = useModelServer();

const SCRIPT = '<script>window.__pwned=1</script>';

const fleet = () => ({
  endpoints: [
    { id: 'lm', base_url: models.server.baseUrl },
    { id: 'dead', base_url: models.dead },
  ],
  lanes: [
    {
      id: 'held',
      urls: [models.server.baseUrl],
      pending: 2,
      pause: { text: `manual hold: ${SCRIPT} & "q"`, ageSec: 7200 },
    },
    { id: 'waits', urls: [models.dead], pending: 1 },
  ],
  // Decide and record, act on nothing: no lane process is started by these tests.
  guard: { dry_run: true, interval_sec: 12, idle_alert_threshold_cycles: 4 },
});

/** Earlier cycles in the history file, as a previous run of the guard left them. */
function writeEarlierCycles(root: string): void {
  const dir = path.join(root, 'artifacts/autonomy/local_models');
  mkdirSync(dir, { recursive: true });
  const cycle = (ts: string, idle: number, unmet = 0) =>
    JSON.stringify({
      ts,
      type: 'cycle',
      consecutive_idle_cycles: idle,
      local_running_after: 0,
      endpoint_floor_unmet_cycles: unmet,
      anomalies: [],
    });
  const lines = [
    cycle('2026-01-01T00:00:00.000Z', 0),
    JSON.stringify({
      ts: '2026-01-01T00:00:30.000Z',
      type: 'lane_started',
      lane: 'held',
      score: 200,
    }),
    cycle('2026-01-01T00:01:00.000Z', 2, 1),
    cycle('2026-01-01T00:02:00.000Z', 4),
    '{"torn":',
  ];
  writeFileSync(path.join(dir, 'idle_guard_history.ndjson'), `${lines.join('\n')}\n`);
}

describe('GET /', () => {
  it('before the first cycle: HTML with safe headers, waiting, the trend of earlier runs from the history file', async () => {
    const { service, root } = sandboxService(fleet());
    writeEarlierCycles(root);
    const res = await request(createApp(service)).get('/').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['content-security-policy']).not.toContain('script-src');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('>Waiting for the first cycle</p>');
    expect(res.text).toContain('<meta http-equiv="refresh" content="12">');
    // x at 0, 1 and 2 minutes over 660 px; y over 140 px with the scale topped by the threshold, 4.
    expect(res.text).toContain('<polyline class="trend-line" points="40,150 370,80 700,10"/>');
    expect(res.text).toContain(
      '<rect class="trend-outage" x="205" y="10" width="330" height="140">',
    );
    expect(res.text).toContain('>alert at 4</text>');
    expect(res.text).toContain('<tr data-event="lane_started">');
  });

  it('after a cycle: endpoints, lanes with pause and reason, anomalies and the new events; input shown as text', async () => {
    const { service } = sandboxService(fleet());
    const app = createApp(service);
    await service.cycle({ trigger: 'manual' });
    const html = (await request(app).get('/').expect(200)).text;
    expect(html).not.toContain('Waiting for the first cycle');
    expect(html).toMatch(/<tr data-endpoint="lm">.*<span class="badge tone-ok"[^>]*>up<\/span>/);
    expect(html).toMatch(
      /<tr data-endpoint="dead">.*<a class="badge tone-bad" href="\/runbooks\/LaneguardEndpointDown"[^>]*>down<\/a>/,
    );
    const held = /<tr data-lane="held">.*?<\/tr>/.exec(html)![0];
    expect(held).toContain('paused: held');
    expect(held).toContain('<code>pause_held</code>');
    expect(held).toContain('<span class="age">2.0h</span>');
    expect(held).toContain(
      `manual hold: &lt;script&gt;window.__pwned=1&lt;/script&gt; &amp; &quot;q&quot;`,
    );
    expect(html).not.toContain(SCRIPT);
    expect(/<tr data-lane="waits">.*?<\/tr>/.exec(html)![0]).toContain(
      '<code>endpoint_unhealthy</code>',
    );
    expect(html).toContain('<tr data-event="endpoint_state_changed">');
    expect(html).toContain('<section id="anomalies"');
    expect(html).toMatch(/<polyline class="trend-line" points="700,\d+(\.\d)?"\/>/);
  });

  it('leaves the other routes alone', async () => {
    const { service } = sandboxService(fleet());
    const app = createApp(service);
    expect((await request(app).get('/api/v1/status').expect(200)).body).toMatchObject({
      ready: false,
    });
    await request(app).get('/nope').expect(404);
    await request(app).post('/').expect(404);
  });

  it('reloads about once per cycle, within 5 to 30 seconds', () => {
    expect([1, 5, 12.4, 30, 300].map(refreshSeconds)).toEqual([5, 5, 12, 30, 30]);
  });
});
