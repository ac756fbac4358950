// Builders for receiver tests: Alertmanager payloads as Alertmanager 0.25 sends them, and a real
// GuardService on a sandbox root with the receiver mounted.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RequestListener } from 'node:http';
import request from 'supertest';
import { expect } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { receiverRoutes } from '../../src/receiver/route.js';
import {
  buildSandboxRoot,
  type SandboxLane,
  type SandboxRootSpec,
} from '../../src/sandbox/root.js';
import { GuardService } from '../../src/serve/service.js';
import { systemClock, type Clock } from '../../src/util/clock.js';
import { readEvents } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

export const TOKEN = 'receiver-test-token-4f1c';
export const BEARER = `Bearer ${TOKEN}`;
export const STARTS_AT = '2026-01-01T00:00:00.123456789Z';

/** A lane with work waiting and an idle worker (a start makes it run), on the given server. */
export function starvedLane(id: string, url: string, pending = 3): SandboxLane {
  return { id, urls: [url], pending, continuous: true, sandbox: { worker: 'idle' } };
}

export interface AlertSpec {
  status?: 'firing' | 'resolved';
  labels?: Record<string, string>;
  fingerprint?: string;
  startsAt?: string;
}

export function alert(spec: AlertSpec = {}): Record<string, unknown> {
  const status = spec.status ?? 'firing';
  return {
    status,
    labels: {
      alertname: 'LaneguardFleetIdleWhileDemand',
      laneguard_action: 'recover',
      job: 'laneguard',
      instance: '127.0.0.1:9477',
      severity: 'warning',
      ...spec.labels,
    },
    annotations: { summary: 'idle while work is waiting' },
    startsAt: spec.startsAt ?? STARTS_AT,
    endsAt: status === 'resolved' ? '2026-01-01T00:10:00Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example/graph?g0.expr=laneguard_fleet_idle',
    fingerprint: spec.fingerprint ?? 'a1b2c3d4e5f60718',
  };
}

export function payload(
  alerts: Array<Record<string, unknown>>,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    receiver: 'laneguard',
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts,
    groupLabels: { alertname: 'LaneguardFleetIdleWhileDemand' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example',
    version: '4',
    groupKey: '{}/{laneguard_action=~"recover"}:{alertname="LaneguardFleetIdleWhileDemand"}',
    truncatedAlerts: 0,
    ...over,
  };
}

export interface ReceiverFixture {
  root: string;
  service: GuardService;
  app: RequestListener;
  /** Wait until every cycle and ensure started by the receiver is over. */
  settle(): Promise<void>;
  events(type?: string): ReturnType<typeof readEvents>;
}

export interface FixtureOptions {
  clock?: Clock;
  /** Write config/webhook.token and point server.token_file at it (default true). */
  token?: boolean;
  /** Reuse an existing root (a restart) instead of building one. */
  root?: string;
  env?: NodeJS.ProcessEnv;
}

export function receiverFixture(
  spec: SandboxRootSpec,
  options: FixtureOptions = {},
): ReceiverFixture {
  let root = options.root;
  if (!root) {
    root = tempDir();
    const guard: Record<string, unknown> = { ...spec.guard };
    if (options.token !== false)
      guard.server = {
        ...(guard.server as object | undefined),
        token_file: 'config/webhook.token',
      };
    buildSandboxRoot(root, { ...spec, guard });
    if (options.token !== false)
      writeFileSync(path.join(root, 'config/webhook.token'), `${TOKEN}\n`);
  }
  const service = new GuardService({
    root,
    clock: options.clock ?? systemClock,
    version: '0.0.0-test',
    defaultMetrics: false,
    env: options.env ?? {},
  });
  const app = createApp(service, [receiverRoutes]);
  const fixedRoot = root;
  return {
    root: fixedRoot,
    service,
    app,
    settle: async () => {
      await service.runner.idle();
      await service.ensureIdle();
    },
    events: (type) => readEvents(fixedRoot).filter((e) => type === undefined || e.type === type),
  };
}

/** Value of one sample of the service's metrics, or undefined when the series does not exist. */
export async function metricValue(
  service: GuardService,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const metric = service.metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric family ${name}`);
  const { values } = await metric.get();
  const found = values.find((v) =>
    Object.entries(labels).every(
      ([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want,
    ),
  );
  return found?.value;
}

/** POST alerts as Alertmanager does (bearer token, JSON); expects 200 and returns the counts. */
export async function postAlerts(
  f: ReceiverFixture,
  alerts: Array<Record<string, unknown>>,
): Promise<Record<string, number>> {
  const res = await request(f.app)
    .post('/alertmanager/webhook')
    .set('authorization', BEARER)
    .set('content-type', 'application/json')
    .send(JSON.stringify(payload(alerts)));
  expect(res.status).toBe(200);
  return res.body as Record<string, number>;
}
