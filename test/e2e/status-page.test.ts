// The status page in a real browser (Debian's chromium through playwright-core) against a real
// `laneguard serve` on a sandbox fleet: what a person sees, not what the markup says.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadUrl, ModelServer } from '../../src/sandbox/model-server.js';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { killProcessesMentioning } from '../helpers/tmp.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TOKEN = 'status-page-e2e-token-0123456789';
const SCRIPT = '<script>window.__pwned=1</script>';
const ARTIFACTS = path.resolve('test-artifacts');

// Own temp dirs, not tempDir(): that one is cleaned after each test, and the fleet lives for both.
const root = mkdtempSync(path.join(tmpdir(), 'laneguard-e2e-page-'));
const profile = mkdtempSync(path.join(tmpdir(), 'laneguard-e2e-chromium-'));
let model: ModelServer;
let serve: ServeProcess;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  model = await new ModelServer().start();
  const dead = await deadUrl();
  buildSandboxRoot(root, {
    endpoints: [
      { id: 'lm', base_url: model.baseUrl, max_parallel: 4 },
      { id: 'dead', base_url: dead },
    ],
    lanes: [
      { id: 'starved', urls: [model.baseUrl], pending: 3, continuous: true },
      {
        id: 'held',
        urls: [model.baseUrl],
        pending: 2,
        pause: { text: JSON.stringify({ reason: 'manual: model swap', hold: true }), ageSec: 7200 },
      },
      {
        id: 'scripted',
        urls: [model.baseUrl],
        pending: 1,
        pause: { text: `deploy note "A&B" ${SCRIPT}`, ageSec: 120 },
      },
    ],
    // Mode alert: the schedule only observes, so the starved lane stays starved until recovery is asked for.
    guard: { mode: 'alert', interval_sec: 5, server: { token_file: 'config/webhook.token' } },
  });
  writeFileSync(path.join(root, 'config/webhook.token'), `${TOKEN}\n`);
  serve = await startServe(root);
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  page = await context.newPage();
});

afterAll(async () => {
  await context?.close();
  if (serve && serve.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await serve.exit;
  }
  await model?.stop();
  killProcessesMentioning(root); // the lane workers the recovery started
  rmSync(root, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
});

/**
 * Poll what the page shows until `accept` holds. The page reloads itself (meta refresh), so an
 * element may vanish mid-read: such a read just counts as "not yet".
 */
async function until<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  what: string,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | string = 'nothing read';
  for (;;) {
    try {
      const value = await read();
      if (accept(value)) return value;
      last = value;
    } catch (err) {
      last = (err as Error).message.split('\n')[0]!;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}; last seen: ${JSON.stringify(last)}\nserve output:\n${serve.output()}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Snapshot {
  headline: string | null;
  lanesHeading: string | null;
  lanes: Record<
    string,
    {
      badges: string[];
      pause: string | null;
      message: string | null;
      reason: string | null;
      pending: string | null;
    }
  >;
  endpoints: Record<string, string[]>;
  anomalies: Array<{ name: string; runbook: string | null }>;
  trendLines: number;
  scripts: number;
  pwned: string;
  events: string | null;
}

/**
 * What the page shows, read in one go from one loaded document (`innerText`: the rendered text a
 * person sees). Plain JS in a string: it runs in the browser, whose DOM types this project lacks.
 */
const SNAPSHOT = `(() => {
  const text = (root, sel) => { const n = root.querySelector(sel); return n ? n.innerText.trim() : null; };
  const badges = (root) => [...root.querySelectorAll('.badge')].map((b) => b.innerText.trim());
  const lanes = {};
  for (const tr of document.querySelectorAll('tr[data-lane]')) {
    lanes[tr.dataset.lane] = { badges: badges(tr), pause: text(tr, 'td.pause'), message: text(tr, '.pause-message'), reason: text(tr, '.lane-reason'), pending: text(tr, 'td.num') };
  }
  const endpoints = {};
  for (const tr of document.querySelectorAll('tr[data-endpoint]')) endpoints[tr.dataset.endpoint] = badges(tr);
  return {
    headline: text(document, '#summary .headline'),
    lanesHeading: text(document, '#lanes h2'),
    lanes,
    endpoints,
    anomalies: [...document.querySelectorAll('#anomalies li[data-anomaly]')].map((li) => ({ name: li.dataset.anomaly, runbook: li.querySelector('a.runbook')?.getAttribute('href') ?? null })),
    trendLines: document.querySelectorAll('#trend svg polyline.trend-line').length,
    scripts: document.querySelectorAll('script').length,
    pwned: typeof window.__pwned,
    events: text(document, '#events'),
  };
})()`;

const snapshot = (): Promise<Snapshot> => page.evaluate<Snapshot>(SNAPSHOT);

describe('status page in a browser', () => {
  it('shows the trouble as the guard sees it: a starved lane, a held pause, a down endpoint, a script as text', async () => {
    await page.goto(serve.url);
    const seen = await until(
      snapshot,
      (s) =>
        (s.lanes.starved?.badges.includes('starved') ?? false) && s.endpoints.dead?.[0] === 'down',
      'the starved lane and the dead endpoint shown',
    );

    expect(seen.lanes.starved).toMatchObject({
      badges: ['stopped', 'starved'],
      pending: '3',
      pause: '-',
    });
    expect(seen.lanes.starved!.reason).toContain('mode alert: the schedule only observes');
    expect(seen.lanes.held!.badges).toEqual(['stopped', 'paused: held']);
    expect(seen.lanes.held!.pause).toMatch(/^2\.0h\s+“?manual: model swap”?$/);
    expect(seen.lanes.held!.reason).toContain('pause held by an operator');
    expect(seen.endpoints.dead).toEqual(['down', 'unhealthy']);
    expect(seen.endpoints.lm).toEqual(['up', 'healthy']);

    expect(seen.lanes.scripted!.message).toContain(`deploy note "A&B" ${SCRIPT}`);
    expect(seen.pwned).toBe('undefined');
    expect(seen.scripts).toBe(0);

    expect(seen.headline).toBe('Idle while work is waiting');
    expect(seen.anomalies).toContainEqual({
      name: 'idle_while_endpoints_healthy',
      runbook: '/runbooks/LaneguardFleetIdleWhileDemand',
    });
    expect(seen.trendLines).toBe(1);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({
      path: path.join(ARTIFACTS, 'status-page-before-recovery.png'),
      fullPage: true,
    });
  });

  it('after a recovery cycle the starved lane is running, and the page shows it by reloading itself', async () => {
    const res = await fetch(`${serve.url}/api/v1/cycle?wait=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { started: Array<{ id: string }> };
    expect(report.started.map((s) => s.id)).toEqual(['starved']);

    // No reload from the test: the page's own refresh brings the new state.
    const seen = await until(
      snapshot,
      (s) => s.lanes.starved?.badges.includes('running') ?? false,
      'the starved lane shown running after the page refreshed itself',
    );
    expect(seen.lanes.starved!.badges).toEqual(['running']);
    expect(seen.lanes.held!.badges).toEqual(['stopped', 'paused: held']);
    expect(seen.lanesHeading).toContain('1 of 3 running');
    expect(seen.events).toMatch(/lane_started\s+starved/);
    expect(seen.pwned).toBe('undefined');

    await page.screenshot({
      path: path.join(ARTIFACTS, 'status-page-after-recovery.png'),
      fullPage: true,
    });
  });
});
