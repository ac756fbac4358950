// The status page laid out by a real browser (Debian's chromium through playwright-core) at the two
// common desktop widths: the lanes table fits — its last column ("why not started") is on screen,
// never behind a horizontal scrollbar — and so does every other table. Screenshots of each width go
// to test-artifacts/ for a person to look at.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderStatusPage } from '../../src/http/page/render.js';
import { ago, endpointRow, laneRow, pageInput, status } from '../http/status-page-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = path.resolve('test-artifacts');

// A busy fleet with the longest values the page must still fit: long ids, owners, messages, reasons.
const html = renderStatusPage(
  pageInput({
    status: status({
      endpoints: [
        endpointRow('lmstudio-workstation-gpu0', {
          base_url: 'http://gpu-workstation-01.lab.internal:1234/v1',
          kind: 'lmstudio',
        }),
        endpointRow('dead-endpoint', {
          state: 'down',
          healthy: false,
          latency_ms: null,
          error:
            'GET /v1/models: connect ECONNREFUSED 10.0.0.12:11434 (connection refused by the host while probing)',
          models: [],
        }),
      ],
      lanes: [
        laneRow('codex-local-refactor-lane-01', {
          owner: 'platform-team',
          running: true,
          pid: 4242,
          work: { pending: 120, in_progress: 3, blocked: 14, done: 9876, queued: 55 },
        }),
        laneRow('held-lane', {
          paused: true,
          pause_held: true,
          pause_age_sec: 7200,
          pause_message:
            'manual hold: model swap to a larger context window until the new quantisation is validated',
          reason: 'pause_held',
          work: { pending: 12, in_progress: 0, blocked: 0, done: 3, queued: 4 },
        }),
        laneRow('starved-lane', {
          starved: true,
          backoff_sec: 240,
          reason: 'capacity_full',
          work: { pending: 3, in_progress: 0, blocked: 1, done: 0, queued: 0 },
        }),
        laneRow('stale-pause-lane-with-a-rather-long-identifier', {
          paused: true,
          pause_stale: true,
          pause_age_sec: 86_400,
          pause_message: 'manual',
          reason: 'manual_pause_active',
        }),
        laneRow('remote-lane', { local: false, reason: 'not_targeted' }),
      ],
      anomalies: ['idle_while_endpoints_healthy', 'lane_crash_loop'],
    }),
    events: [
      {
        ts: ago(300),
        type: 'lane_start_failed',
        lane: 'starved-lane',
        trigger: 'schedule',
        exit_code: 1,
        output:
          'Traceback (most recent call last): ModuleNotFoundError: No module named orxaq_autonomy.cli_extended_runner',
      },
      {
        ts: ago(120),
        type: 'lane_started',
        lane: 'codex-local-refactor-lane-01',
        trigger: 'alert',
        score: 12345,
        endpoint_key: 'lmstudio-workstation-gpu0',
        pid: 4242,
      },
      {
        ts: ago(60),
        type: 'alert_received',
        alertname: 'LaneguardFleetIdleWhileDemand',
        fingerprint: '0123456789abcdef',
        status: 'firing',
        action: 'recover',
        outcome: 'acted',
        reason: null,
      },
    ],
  }),
);

const profile = mkdtempSync(path.join(tmpdir(), 'laneguard-e2e-layout-'));
let context: BrowserContext;

beforeAll(async () => {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
  });
});

afterAll(async () => {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
});

interface Layout {
  viewport: number;
  documentWidth: number;
  tables: Array<{ id: string; scrollWidth: number; clientWidth: number }>;
  lastLaneHeader: { text: string; right: number } | null;
  lanesSectionRight: number;
}

// Plain JS in a string: it runs in the browser, whose DOM types this project lacks.
const MEASURE = `(() => {
  const lanes = document.querySelector('#lanes');
  const headers = [...document.querySelectorAll('#lanes thead th')];
  const last = headers.at(-1);
  return {
    viewport: window.innerWidth,
    documentWidth: document.documentElement.scrollWidth,
    tables: [...document.querySelectorAll('.scroll')].map((s) => ({ id: s.closest('section').id, scrollWidth: s.scrollWidth, clientWidth: s.clientWidth })),
    lastLaneHeader: last ? { text: last.innerText.trim(), right: last.getBoundingClientRect().right } : null,
    lanesSectionRight: lanes.getBoundingClientRect().right,
  };
})()`;

describe('status page layout', () => {
  it.each([1280, 1920])(
    'at %i px every table fits: the lanes table shows its last column without scrolling',
    async (width) => {
      const page = await context.newPage();
      await page.setViewportSize({ width, height: 1000 });
      await page.setContent(html);
      const layout = await page.evaluate<Layout>(MEASURE);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({
        path: path.join(ARTIFACTS, `status-page-${width}.png`),
        fullPage: true,
      });
      await page.close();

      expect(layout.viewport).toBe(width);
      expect(layout.documentWidth).toBeLessThanOrEqual(width);
      expect(layout.tables.map((t) => t.id).sort()).toEqual(['endpoints', 'events', 'lanes']);
      for (const table of layout.tables)
        expect(table.scrollWidth, `${table.id} table scrolls sideways`).toBeLessThanOrEqual(
          table.clientWidth,
        );
      expect(layout.lastLaneHeader?.text.toLowerCase()).toContain('why not');
      expect(layout.lastLaneHeader!.right).toBeLessThanOrEqual(layout.lanesSectionRight);
    },
  );
});
