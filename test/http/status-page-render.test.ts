import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANOMALIES, emptyWork } from '../../src/domain/types.js';
import { renderStatusPage } from '../../src/http/page/render.js';
import { anomalyInfo, endpointBadge, laneBadges } from '../../src/http/page/states.js';
import {
  ago,
  cycleEvent,
  cycleReport,
  endpointRow,
  laneRow,
  pageInput,
  status,
} from './status-page-fixtures.js';

/** The markup of the one table row carrying `data-<kind>="<id>"` (id as it appears, escaped). */
function row(html: string, kind: 'lane' | 'endpoint' | 'event', id: string): string {
  const start = html.indexOf(`<tr data-${kind}="${id}">`);
  if (start < 0) throw new Error(`no ${kind} row ${id}`);
  return html.slice(start, html.indexOf('</tr>', start) + 5);
}

/** [tone, label] of every badge in a piece of markup. */
function badges(html: string): Array<[string, string]> {
  return [...html.matchAll(/class="badge tone-(\w+)"[^>]*>([^<]*)</g)].map((m) => [m[1]!, m[2]!]);
}

function count(html: string, needle: string): number {
  return html.split(needle).length - 1;
}

describe('status page: escaping', () => {
  const hostile = '<script>window.__pwned=1</script> "q" & \'x\'';
  const html = renderStatusPage(
    pageInput({
      status: status({
        mode: 'hybrid',
        endpoints: [
          endpointRow('e<1>', {
            base_url: 'http://x/?a=1&b="2"',
            state: 'down',
            healthy: false,
            error: '<img src=x onerror=alert(1)>',
          }),
        ],
        lanes: [
          laneRow('a"<b>', {
            owner: "o'wner & <co>",
            paused: true,
            pause_age_sec: 60,
            pause_message: hostile,
            reason: 'pause_active',
          }),
        ],
        lane_errors: [
          { id: 'bad<lane>', source: 'lanes.json', error: '</li><script>alert(3)</script>' },
        ],
        anomalies: ['weird<b>anomaly</b>'],
        last_cycle_error: '<b>boom</b>',
      }),
      events: [
        {
          ts: ago(5),
          type: 'lane_<i>started</i>',
          lane: '<i>l</i>',
          reason: '</td><script>alert(2)</script>',
        },
      ],
      historyError: 'history unreadable: <x>',
    }),
  );

  it('shows a pause message with <script>, quotes and & as text', () => {
    expect(row(html, 'lane', 'a&quot;&lt;b&gt;')).toContain(
      '&lt;script&gt;window.__pwned=1&lt;/script&gt; &quot;q&quot; &amp; &#39;x&#39;',
    );
  });

  it('never lets input open a tag or break out of an attribute or a cell', () => {
    for (const tag of ['<script', '<img', '<b>', '<i>', '<x>', '<co>', '<lane>'])
      expect(html, tag).not.toContain(tag);
    expect(html).toContain('data-endpoint="e&lt;1&gt;"');
    expect(html).toContain('http://x/?a=1&amp;b=&quot;2&quot;');
    expect(html).toContain('o&#39;wner &amp; &lt;co&gt;');
    expect(html).toContain('&lt;/td&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;b&gt;boom&lt;/b&gt;');
    expect(html).toContain('history unreadable: &lt;x&gt;');
    for (const tag of ['tr', 'td', 'li', 'table', 'section'])
      expect(count(html, `<${tag}`), tag).toBe(count(html, `</${tag}>`));
  });
});

describe('status page: sections', () => {
  it('has every section, the machine-readable links, a self-refresh and accessible tables', () => {
    const html = renderStatusPage(
      pageInput({ refreshSec: 7, events: [cycleEvent(60, 0), cycleEvent(30, 0)] }),
    );
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    for (const id of ['summary', 'anomalies', 'endpoints', 'lanes', 'trend', 'events'])
      expect(html).toContain(`<section id="${id}"`);
    for (const href of ['/metrics', '/api/v1/status', '/api/v1/history'])
      expect(html).toContain(`<a href="${href}">`);
    expect(html).toContain('<meta http-equiv="refresh" content="7">');
    expect(html).toContain('reloads itself every 7 s');
    expect(html).toContain('<th scope="col" class="num">pending</th>');
    expect(html).toContain('<th scope="row">a<div class="sub">ops</div></th>');
    expect(html).toContain('<svg class="trend"');
    expect(html).not.toMatch(/<script/i);
  });

  it('before the first cycle: says it waits, and every section says what it lacks', () => {
    const html = renderStatusPage(
      pageInput({ status: status({ ready: false, last_cycle: null, lanes: [], anomalies: [] }) }),
    );
    expect(html).toContain('<title>laneguard · waiting for the first cycle</title>');
    expect(html).toContain('>Waiting for the first cycle</p>');
    expect(html).toContain('Lanes appear after the first cycle.');
    expect(html).toContain('anomalies are concluded by the first cycle');
    expect(html).toContain('No cycles recorded yet');
    expect(html).toContain('No events yet.');
    // Endpoints are known from the probe before any cycle.
    expect(row(html, 'endpoint', 'lm')).toContain('>up<');
  });

  it('headline: floor unmet, idle while demand, nothing to do, lanes running; and a failed cycle', () => {
    const headline = (html: string): string =>
      /<p class="headline tone-(\w+)" role="status">([^<]*)<\/p>/.exec(html)!.slice(1).join(' ');
    const page = (over: Parameters<typeof cycleReport>[0], error: string | null = null) =>
      renderStatusPage(
        pageInput({ status: status({ last_cycle: cycleReport(over), last_cycle_error: error }) }),
      );
    expect(
      headline(page({ floor_met: false, idle_while_demand: false, local_running_after: 0 })),
    ).toBe('bad Endpoint floor not met: recovery is held until enough endpoints are healthy');
    expect(headline(page({ idle_while_demand: true, local_running_after: 0 }))).toBe(
      'bad Idle while work is waiting',
    );
    expect(headline(page({ local_running_after: 0 }))).toBe(
      'warn No local lane running (no work waiting)',
    );
    const heldOnly = renderStatusPage(
      pageInput({
        status: status({
          last_cycle: cycleReport({ local_running_after: 0 }),
          lanes: [
            laneRow('h', {
              paused: true,
              pause_held: true,
              pause_age_sec: 60,
              work: { ...emptyWork(), pending: 4 },
            }),
          ],
        }),
      }),
    );
    expect(headline(heldOnly)).toBe(
      'info No local lane running (the only work left is held by an operator)',
    );
    expect(headline(page({ local_running_after: 2, local_lane_total: 3 }))).toBe(
      'ok 2 of 3 local lanes running',
    );
    const failed = page({}, 'lock held by pid 12');
    expect(failed).toContain('<strong>The last cycle failed:</strong> lock held by pid 12');
    expect(failed).toContain(
      '<dt>consecutive idle cycles</dt><dd>0 <span class="sub">(alert at 6)</span></dd>',
    );
    expect(failed).toContain('(20s ago, schedule)');
  });
});

describe('status page: lanes and endpoints', () => {
  const html = renderStatusPage(
    pageInput({
      status: status({
        lanes: [
          laneRow('run', {
            running: true,
            pid: 77,
            work: { pending: 3, in_progress: 1, blocked: 2, done: 9, queued: 4 },
          }),
          laneRow('held', {
            paused: true,
            pause_held: true,
            pause_age_sec: 7200,
            pause_message: 'manual hold for the model swap',
            reason: 'pause_held',
          }),
          laneRow('stale', {
            paused: true,
            pause_stale: true,
            pause_age_sec: 3600,
            pause_message: '',
            starved: true,
            reason: 'observe_only',
          }),
          laneRow('back', { backoff_sec: 40, reason: 'backoff' }),
          laneRow('remote', { local: false }),
        ],
        endpoints: [
          endpointRow('up'),
          endpointRow('warming', { state: 'starting', healthy: false, latency_ms: null }),
          endpointRow('dead', {
            state: 'down',
            healthy: false,
            error: 'GET /v1/models: connection refused',
            probed_at: null,
          }),
          endpointRow('off', {
            state: 'disabled',
            healthy: false,
            max_parallel: { configured: 4, recommended: 2, effective: 2 },
          }),
          endpointRow('new', { state: 'down', healthy: false, probed_at: null, latency_ms: null }),
        ],
      }),
    }),
  );

  it('names every lane state in words', () => {
    expect(badges(row(html, 'lane', 'run'))).toEqual([['ok', 'running']]);
    expect(badges(row(html, 'lane', 'held'))).toEqual([
      ['muted', 'stopped'],
      ['info', 'paused: held'],
    ]);
    expect(badges(row(html, 'lane', 'stale'))).toEqual([
      ['muted', 'stopped'],
      ['warn', 'paused: stale'],
      ['bad', 'starved'],
    ]);
    expect(badges(row(html, 'lane', 'back'))).toEqual([
      ['muted', 'stopped'],
      ['warn', 'backoff 40s'],
    ]);
    expect(badges(row(html, 'lane', 'remote'))).toEqual([
      ['muted', 'stopped'],
      ['muted', 'not local'],
    ]);
  });

  it('links troubled states to their runbooks', () => {
    expect(row(html, 'lane', 'stale')).toContain(
      '<a class="badge tone-bad" href="/runbooks/LaneguardLanesStarved"',
    );
    expect(row(html, 'lane', 'stale')).toContain(
      '<a class="badge tone-warn" href="/runbooks/LaneguardStalePause"',
    );
    expect(row(html, 'endpoint', 'dead')).toContain(
      '<a class="badge tone-bad" href="/runbooks/LaneguardEndpointDown"',
    );
    expect(row(html, 'lane', 'held')).not.toContain('/runbooks/');
  });

  it('shows pause age and message, work counts and why the last cycle skipped the lane', () => {
    const held = row(html, 'lane', 'held');
    expect(held).toContain(
      '<span class="age">2.0h</span> <q class="pause-message">manual hold for the model swap</q>',
    );
    expect(held).toContain(
      '<span class="reason">pause held by an operator</span> <code>pause_held</code>',
    );
    expect(row(html, 'lane', 'stale')).toContain(
      '<span class="age">60m</span> <span class="sub">(no message)</span>',
    );
    expect(row(html, 'lane', 'run')).toContain('<td class="pause">-</td>');
    const cells = [...row(html, 'lane', 'run').matchAll(/<td class="num">(\d+)<\/td>/g)].map((m) =>
      Number(m[1]),
    );
    expect(cells).toEqual([3, 1, 2, 4, 9]); // pending, in progress, blocked, queued, done
    expect(row(html, 'lane', 'back')).toContain('crash-loop backoff running');
    expect(html).toContain('<span class="count">1 of 5 running</span>');
  });

  it('shows endpoint state, health, latency, capacity, probe age and error', () => {
    expect(badges(row(html, 'endpoint', 'up'))).toEqual([
      ['ok', 'up'],
      ['ok', 'healthy'],
    ]);
    expect(badges(row(html, 'endpoint', 'warming'))).toEqual([
      ['warn', 'starting'],
      ['bad', 'unhealthy'],
    ]);
    expect(badges(row(html, 'endpoint', 'dead'))).toEqual([
      ['bad', 'down'],
      ['bad', 'unhealthy'],
    ]);
    expect(badges(row(html, 'endpoint', 'off'))).toEqual([
      ['muted', 'disabled'],
      ['bad', 'unhealthy'],
    ]);
    expect(badges(row(html, 'endpoint', 'new'))).toEqual([
      ['muted', 'not probed yet'],
      ['bad', 'unhealthy'],
    ]);
    expect(row(html, 'endpoint', 'up')).toContain('<td class="num">12 ms</td>');
    expect(row(html, 'endpoint', 'up')).toContain('<td>3s ago</td>');
    expect(row(html, 'endpoint', 'warming')).toContain('<td class="num">-</td>');
    expect(row(html, 'endpoint', 'dead')).toContain(
      '<td>never</td><td class="error">GET /v1/models: connection refused</td>',
    );
    expect(row(html, 'endpoint', 'off')).toContain(
      '<td class="num">2 <span class="sub">of 4</span></td>',
    );
    expect(html).toContain('<span class="count">1 of 5 healthy</span>');
  });
});

describe('status page: anomalies and events', () => {
  it('lists active anomalies with their alert and runbook', () => {
    const html = renderStatusPage(
      pageInput({
        status: status({
          anomalies: ['idle_while_endpoints_healthy', 'endpoint_floor_not_met', 'something_new'],
        }),
      }),
    );
    const item = (a: string): string =>
      /<li data-anomaly="[^"]*">.*?<\/li>/.exec(
        html.slice(html.indexOf(`<li data-anomaly="${a}"`)),
      )![0];
    expect(item('idle_while_endpoints_healthy')).toContain(
      '<a class="runbook" href="/runbooks/LaneguardFleetIdleWhileDemand">runbook</a>',
    );
    expect(item('endpoint_floor_not_met')).toContain(
      '<a class="runbook" href="/runbooks/LaneguardEndpointFloorNotMet">runbook</a>',
    );
    expect(item('something_new')).toContain('something new');
    expect(item('something_new')).not.toContain('runbook');
    expect(renderStatusPage(pageInput())).toContain('No active anomalies.');
  });

  it('links only to runbooks that exist, one for every guard anomaly', () => {
    const alerts = ANOMALIES.map((a) => anomalyInfo(a).alert);
    expect(alerts.every((a) => a !== null)).toBe(true);
    const fromStates = [
      ...laneBadges(laneRow('x', { paused: true, pause_stale: true, starved: true })),
      endpointBadge(endpointRow('d', { state: 'down' })),
    ]
      .map((b) => b.runbook)
      .filter(Boolean);
    expect(fromStates).toEqual([
      'LaneguardStalePause',
      'LaneguardLanesStarved',
      'LaneguardEndpointDown',
    ]);
    for (const alert of [...alerts, ...fromStates])
      expect(existsSync(path.resolve('docs/runbooks', `${alert}.md`)), String(alert)).toBe(true);
  });

  it('lists the newest events first, without cycle summaries, up to the limit', () => {
    const events = [
      { ts: ago(50), type: 'guard_started', pid: 1 },
      cycleEvent(40, 0),
      {
        ts: ago(30),
        type: 'lane_started',
        lane: 'a',
        score: 200,
        endpoint_key: 'lm',
        cycle_id: 'c9',
      },
      cycleEvent(20, 0),
      { ts: ago(10), type: 'anomaly_raised', anomaly: 'idle_while_endpoints_healthy' },
    ];
    const html = renderStatusPage(pageInput({ events, eventLimit: 2 }));
    const listed = [...html.matchAll(/<tr data-event="([^"]+)">/g)].map((m) => m[1]);
    expect(listed).toEqual(['anomaly_raised', 'lane_started']);
    expect(row(html, 'event', 'lane_started')).toContain(
      `<td><time datetime="${ago(30)}">11:59:30Z</time></td><td><code>lane_started</code></td><td>a</td><td class="details">score=200 endpoint_key=lm</td>`,
    );
  });
});

describe('status page: control characters', () => {
  it('shows a NUL (and other C0 controls) escaped, never as a raw byte', () => {
    const html = renderStatusPage(
      pageInput({
        status: status({
          lanes: [
            laneRow('nul', {
              owner: 'o\u0000wner',
              paused: true,
              pause_age_sec: 60,
              pause_message: 'stop\u0000here\u001b[31m',
            }),
          ],
        }),
      }),
    );
    // eslint-disable-next-line no-control-regex
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
    expect(row(html, 'lane', 'nul')).toContain('stop\\u0000here\\u001b[31m');
    expect(row(html, 'lane', 'nul')).toContain('o\\u0000wner');
  });
});
