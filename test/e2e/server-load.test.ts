// Idle confirmed from the server's side, through real Prometheus: a vLLM-style server reports no
// request running while laneguard runs a lane on it that sends nothing, and the shipped rule
// LaneguardEndpointIdleWhileDemand fires for that endpoint only — never for a server that reports
// no load (LM Studio) — and resolves once the server is busy.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ModelServer } from '../../src/sandbox/model-server.js';
import { tempDir } from '../helpers/tmp.js';
import {
  fleetRoot,
  freePort,
  shortenedRules,
  startLaneguard,
  startPrometheus,
  stopAll,
  until,
} from './harness/index.js';

let vllm: ModelServer;
let lmstudio: ModelServer;
beforeAll(async () => {
  vllm = await new ModelServer({ kind: 'vllm', running: 0, waiting: 0 }).start();
  lmstudio = await new ModelServer({ kind: 'lmstudio' }).start();
});
afterEach(stopAll);
afterAll(async () => {
  await vllm.stop();
  await lmstudio.stop();
});

const ALERT = 'LaneguardEndpointIdleWhileDemand';

describe('server load, end to end', () => {
  it(`fires ${ALERT} for a healthy server that runs nothing while its lane holds work`, async () => {
    const dir = tempDir('laneguard-e2e-load-');
    const port = await freePort();
    const { root } = fleetRoot(dir, {
      endpoints: [
        { id: 'vl', base_url: vllm.baseUrl, max_parallel: 2 },
        { id: 'lm', base_url: lmstudio.baseUrl, max_parallel: 2 },
      ],
      lanes: [
        // Both lanes are started by laneguard and then sit idle: running, holding work, sending nothing.
        {
          id: 'on-vllm',
          urls: [vllm.baseUrl],
          pending: 3,
          continuous: true,
          sandbox: { worker: 'idle' },
        },
        {
          id: 'on-lmstudio',
          urls: [lmstudio.baseUrl],
          pending: 3,
          continuous: true,
          sandbox: { worker: 'idle' },
        },
      ],
      guard: { interval_sec: 1 },
    });
    const lg = await startLaneguard(root, port);
    const prom = await startPrometheus({
      dir,
      laneguard: [lg.address],
      rulesFile: shortenedRules(dir),
    });
    const procs = [lg.process, prom.process];
    await prom.waitForTargetUp();
    await lg.waitEvent(
      'lane_started',
      (e) => e.lane === 'on-vllm',
      'on-vllm started',
      60_000,
      procs,
    );

    const firing = await until(
      `${ALERT} firing for vl`,
      async () => {
        const alerts = await prom.alerts();
        return alerts.find((a) => a.labels.alertname === ALERT && a.state === 'firing');
      },
      90_000,
      procs,
    );
    expect(firing.labels).toMatchObject({
      alertname: ALERT,
      endpoint: 'vl',
      job: 'laneguard',
      instance: lg.address,
      severity: 'warning',
    });
    expect(firing.labels.laneguard_action).toBeUndefined();
    // LM Studio reports no load: no series, so no alert however idle its lane is.
    expect(
      (await prom.query('laneguard_endpoint_requests_running{endpoint="lm"}')).data?.result,
    ).toEqual([]);
    expect(
      (await prom.query('laneguard_endpoint_lanes_with_work{endpoint="lm"} > 0')).data?.result,
    ).toHaveLength(1);
    expect(
      (await prom.alerts())
        .filter((a) => a.labels.alertname === ALERT)
        .map((a) => a.labels.endpoint),
    ).toEqual(['vl']);

    // The server gets busy: the alert resolves.
    vllm.running = 2;
    await until(
      `${ALERT} to resolve`,
      async () => {
        const alerts = await prom.alerts();
        return !alerts.some((a) => a.labels.alertname === ALERT) || undefined;
      },
      90_000,
      procs,
    );
    expect(
      (await prom.query('laneguard_endpoint_requests_running{endpoint="vl"}')).data?.result[0]
        ?.value?.[1],
    ).toBe('2');
  });
});
