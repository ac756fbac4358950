// The whole loop with real Prometheus and Alertmanager: laneguard (mode alert) exports a starved
// lane, the shipped rules fire, Alertmanager calls the webhook, laneguard starts the lane.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useModelServer } from '../helpers/model-server.js';
import { sandboxScript } from '../../src/sandbox/paths.js';
import { laneDir } from '../../src/sandbox/root.js';
import { runArgv } from '../../src/process/index.js';
import { trySignal } from '../../src/process/index.js';
import { laneWorkers, tempDir } from '../helpers/tmp.js';
import {
  fleetRoot,
  freePort,
  secondsBetween,
  shortenedRules,
  startAlertmanager,
  startLaneguard,
  startPrometheus,
  stopAll,
  until,
} from './harness/index.js';

const models = useModelServer();
afterEach(stopAll);

const RECOVERY_ALERTS = ['LaneguardFleetIdleWhileDemand', 'LaneguardLanesStarved'];

describe('alert-driven recovery, end to end', () => {
  it('a killed lane with work is started again by way of the alert (mode alert)', async () => {
    const dir = tempDir('laneguard-e2e-loop-');
    const port = await freePort();
    const { root, tokenFile } = fleetRoot(dir, {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl, max_parallel: 2 }],
      lanes: [
        {
          id: 'worker-a',
          urls: [models.server.baseUrl],
          pending: 5,
          continuous: true,
          sandbox: { worker: 'idle' },
        },
      ],
      guard: { mode: 'alert', interval_sec: 1, webhook: { instance: `127.0.0.1:${port}` } },
    });
    // The lane runs before laneguard starts (started by the fleet itself, not by laneguard, so no
    // crash-loop backoff applies when it dies): a healthy fleet, no alert.
    const started = await runArgv(
      [
        process.execPath,
        sandboxScript('fleetctl'),
        '--root',
        root,
        'lane-start',
        '--lane',
        'worker-a',
      ],
      { timeoutMs: 20_000 },
    );
    expect(started.ok).toBe(true);
    const firstPid = Number(readFileSync(path.join(laneDir(root, 'worker-a'), 'lane.pid'), 'utf8'));
    expect(laneWorkers(root, 'worker-a')).toEqual([firstPid]);

    const lg = await startLaneguard(root, port);
    const am = await startAlertmanager({
      dir,
      name: 'alertmanager',
      webhookUrl: lg.webhookUrl,
      tokenFile,
    });
    const prom = await startPrometheus({
      dir,
      laneguard: [lg.address],
      rulesFile: shortenedRules(dir),
      alertmanagers: [am.address],
    });
    const procs = [lg.process, am.process, prom.process];
    await prom.waitForTargetUp();
    await until(
      'Prometheus to see worker-a running',
      async () =>
        (await prom.query('laneguard_lane_running{lane="worker-a"} == 1')).data?.result.length,
      30_000,
      procs,
    );

    const stoppedAt = Date.now();
    trySignal(firstPid, 'SIGKILL');
    const startedEvent = await lg.waitEvent(
      'lane_started',
      (e) => e.lane === 'worker-a',
      'worker-a started again',
      90_000,
      procs,
    );
    const acted = lg.events('alert_received').filter((e) => e.outcome === 'acted');
    const firstAlert = acted[0]!;
    const newPid = await until(
      'the new worker process',
      () => laneWorkers(root, 'worker-a').find((p) => p !== firstPid),
      10_000,
      procs,
    );
    const runningAt = Date.now();

    console.log(
      `[e2e] worker-a stopped → running: ${secondsBetween(stoppedAt, runningAt)} ` +
        `(alert ${firstAlert.alertname} received after ${secondsBetween(stoppedAt, firstAlert.ts)}, lane_started after ${secondsBetween(stoppedAt, startedEvent.ts)})`,
    );

    expect(firstAlert).toMatchObject({ status: 'firing', outcome: 'acted', reason: null });
    expect(RECOVERY_ALERTS).toContain(firstAlert.alertname);
    expect(['recover', 'recover_lane']).toContain(firstAlert.action);
    expect(startedEvent).toMatchObject({
      lane: 'worker-a',
      trigger: 'alert',
      endpoint_key: 'lm',
      pid: newPid,
    });
    // The schedule only observed: every start came from an alert, and there was exactly one.
    await lg.stop();
    expect(lg.events('lane_started')).toHaveLength(1);
    expect(
      lg.events('cycle').filter((e) => e.trigger === 'schedule' && (e.started_count as number) > 0),
    ).toEqual([]);
    expect(lg.events('cycle').filter((e) => e.trigger === 'alert').length).toBeGreaterThanOrEqual(
      1,
    );
    // Only alerts meant for this host arrived and none were rejected.
    expect(lg.events('webhook_rejected')).toEqual([]);
    expect(lg.events('alert_received').every((e) => e.reason !== 'other_instance')).toBe(true);
  });
});
