// What Prometheus and Grafana get from a real `laneguard serve` on a sandbox fleet: an exposition
// promtool finds no problem in, and dashboards whose every query runs and whose key panels have data.
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deadUrl, ModelServer } from '../../src/sandbox/model-server.js';
import type { SandboxRootSpec } from '../../src/sandbox/root.js';
import { dashboardFiles, dashboardQueries, type TestValues } from '../grafana/panel-queries.js';
import { tempDir } from '../helpers/tmp.js';
import {
  E2E_TOKEN,
  fleetRoot,
  freePort,
  startLaneguard,
  startPrometheus,
  stopAll,
  until,
  type Laneguard,
} from './harness/index.js';

const PROMTOOL_BIN = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

let model: ModelServer;
let dead: string;
beforeAll(async () => {
  model = await new ModelServer().start();
  dead = await deadUrl();
});
afterEach(stopAll);
afterAll(async () => model.stop());

/** A fleet with something in every section: a lane the schedule starts, a held pause, a dead endpoint. */
const fleet = (): SandboxRootSpec => ({
  endpoints: [
    { id: 'lm', base_url: model.baseUrl, max_parallel: 2 },
    { id: 'dead', base_url: dead },
  ],
  lanes: [
    {
      id: 'worker-a',
      urls: [model.baseUrl],
      pending: 4,
      continuous: true,
      sandbox: { worker: 'idle' },
    },
    {
      id: 'held',
      urls: [model.baseUrl],
      pending: 1,
      pause: { text: JSON.stringify({ reason: 'manual', hold: true }), ageSec: 900 },
    },
  ],
  guard: { mode: 'hybrid', interval_sec: 1 },
});

/** One webhook delivery of each kind the receiver counts: rejected (401) and accepted (resolved). */
async function exerciseWebhook(lg: Laneguard): Promise<void> {
  const unauthorized = await fetch(lg.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(unauthorized.status).toBe(401);
  const body = {
    version: '4',
    groupKey: 'g',
    status: 'resolved',
    receiver: 'laneguard',
    externalURL: 'http://am',
    alerts: [
      {
        status: 'resolved',
        labels: { alertname: 'LaneguardFleetIdleWhileDemand', laneguard_action: 'recover' },
        startsAt: new Date().toISOString(),
        endsAt: new Date().toISOString(),
        fingerprint: 'e2e0000000000001',
      },
    ],
  };
  const ok = await fetch(lg.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${E2E_TOKEN}` },
    body: JSON.stringify(body),
  });
  expect(ok.status).toBe(200);
}

async function startFleet(prefix: string): Promise<Laneguard> {
  const { root } = fleetRoot(tempDir(prefix), fleet());
  const lg = await startLaneguard(root, await freePort());
  await lg.waitEvent(
    'lane_started',
    (e) => e.lane === 'worker-a',
    'the schedule to start worker-a',
    30_000,
  );
  await exerciseWebhook(lg);
  return lg;
}

describe('metrics exposition', () => {
  it('promtool check metrics finds no problem in a real scrape', async () => {
    const lg = await startFleet('laneguard-e2e-promtool-');
    const scrape = await (await fetch(`${lg.url}/metrics`)).text();
    // The scrape covers every part: endpoints, lanes, guard, receiver, self.
    for (const family of [
      'laneguard_endpoint_up',
      'laneguard_lane_running',
      'laneguard_fleet_idle',
      'laneguard_recovery_actions_total',
      'laneguard_webhook_requests_total',
      'laneguard_webhook_alerts_total',
      'laneguard_build_info',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(scrape).toMatch(new RegExp(`^${family}(\\{| )`, 'm'));
    }
    // prom-client's process metrics once, unprefixed, as every client library exports them.
    expect(scrape).not.toMatch(/^laneguard_(process|nodejs)_/m);
    const check = spawnSync(PROMTOOL_BIN, ['check', 'metrics'], {
      input: scrape,
      encoding: 'utf8',
    });
    if (check.error) throw new Error(`cannot run ${PROMTOOL_BIN}: ${check.error.message}`);
    expect({ status: check.status, out: check.stdout + check.stderr }).toEqual({
      status: 0,
      out: '',
    });
  });
});

describe('Grafana dashboards against live data', () => {
  it('every panel query evaluates, and the key panels return data', async () => {
    const lg = await startFleet('laneguard-e2e-dash-');
    const prom = await startPrometheus({ dir: lg.root, laneguard: [lg.address] });
    await prom.waitForTargetUp();
    // Rates and increases need two samples of a counter inside their window.
    await until(
      'two scrapes of the recovery counters',
      async () =>
        (await prom.query('count_over_time(laneguard_recovery_actions_total[1m]) >= 2')).data
          ?.result.length,
      30_000,
      [prom.process, lg.process],
    );

    const values: TestValues = { lane: 'worker-a', rateInterval: '1m', range: '5m' };
    const queries = dashboardFiles().flatMap((file) => dashboardQueries(file, values));
    expect(queries.length).toBeGreaterThan(20);
    const failed: string[] = [];
    const withData = new Set<string>();
    for (const q of queries) {
      const answer = await prom.query(q.expr);
      if (answer.status !== 'success')
        failed.push(
          `${q.dashboard} / ${q.panel} / ${q.refId}: ${answer.errorType}: ${answer.error}\n  ${q.expr}`,
        );
      else if ((answer.data?.result.length ?? 0) > 0)
        withData.add(`${q.dashboard} / ${q.panel} / ${q.refId}`);
    }
    expect(failed).toEqual([]);
    console.log(
      `[e2e] dashboards: ${queries.length} panel queries ran, ${withData.size} returned data`,
    );

    const key = [
      'laneguard-overview / Idle while demand / A',
      'laneguard-overview / Local lanes by state / A',
      'laneguard-overview / Lanes / A',
      'laneguard-overview / Endpoint up / A',
      'laneguard-overview / Healthy endpoints / A',
      'laneguard-overview / Recovery actions / A',
      'laneguard-overview / Guard cycles / A',
      'laneguard-overview / Webhook / A',
      'laneguard-overview / Webhook / B',
      'laneguard-overview / Build / A',
      'laneguard-lane / Running / A',
      'laneguard-lane / Work items by state / A',
      'laneguard-lane / Starts / A',
    ];
    expect(key.filter((k) => !withData.has(k))).toEqual([]);
    // And the data is right: the dead endpoint is down, the live one up; worker-a was started.
    const up = await prom.query('laneguard_endpoint_up');
    expect(
      Object.fromEntries((up.data?.result ?? []).map((r) => [r.metric.endpoint, r.value?.[1]])),
    ).toEqual({ lm: '1', dead: '0' });
    const starts = await prom.query(
      'laneguard_recovery_actions_total{action="start",result="success"}',
    );
    expect(Number(starts.data?.result[0]?.value?.[1])).toBeGreaterThanOrEqual(1);
  });
});
