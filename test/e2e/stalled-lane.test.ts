// A stalled lane, end to end: laneguard (mode alert, restart_stalled off) exports the stall, the
// shipped rule LaneguardLaneStalled fires through real Prometheus, both members of a clustered
// Alertmanager pair call the webhook, and laneguard restarts exactly that lane, once.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useModelServer } from '../helpers/model-server.js';
import type { HistoryEvent } from '../../src/history/store.js';
import { runArgv } from '../../src/process/index.js';
import { sandboxScript } from '../../src/sandbox/paths.js';
import { laneDir } from '../../src/sandbox/root.js';
import { laneWorkers, tempDir } from '../helpers/tmp.js';
import {
  fleetRoot,
  freePort,
  secondsBetween,
  shortenedRules,
  startClusteredAlertmanagers,
  startLaneguard,
  startPrometheus,
  stopAll,
  until,
} from './harness/index.js';

const models = useModelServer();
afterEach(stopAll);

const ALERT = 'LaneguardLaneStalled';
const key = (e: HistoryEvent) => `${String(e.fingerprint)}@${String(e.starts_at)}`;

async function startLane(root: string, id: string): Promise<number> {
  const r = await runArgv(
    [process.execPath, sandboxScript('fleetctl'), '--root', root, 'lane-start', '--lane', id],
    { timeoutMs: 20_000 },
  );
  expect(r.ok, r.output).toBe(true);
  return Number(readFileSync(path.join(laneDir(root, id), 'lane.pid'), 'utf8'));
}

describe('stalled lane, end to end', () => {
  it(`${ALERT} fires through Prometheus and both clustered Alertmanagers; the webhook restarts exactly that lane once`, async () => {
    const dir = tempDir('laneguard-e2e-stall-');
    const port = await freePort();
    const { root, tokenFile } = fleetRoot(dir, {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl, max_parallel: 4 }],
      lanes: [
        // Hangs 300 ms after it starts: alive, command line right, no heartbeat, no work.
        {
          id: 'hung',
          urls: [models.server.baseUrl],
          pending: 4,
          continuous: true,
          sandbox: { hang_after_ms: 300, task_ms: 60_000 },
        },
        // Idle but heartbeating: its work does not move either, yet it is never stalled.
        {
          id: 'alive',
          urls: [models.server.baseUrl],
          pending: 4,
          continuous: true,
          sandbox: { worker: 'idle' },
        },
      ],
      // The schedule only observes and may not restart: the restart comes from the alert. A long
      // backoff keeps the restarted lane (which hangs again) from a second restart during the test.
      guard: {
        mode: 'alert',
        interval_sec: 1,
        stalled_after_sec: 3,
        restart_stalled: false,
        backoff: { initial_sec: 600, max_sec: 600 },
      },
    });
    const hungPid = await startLane(root, 'hung');
    const alivePid = await startLane(root, 'alive');

    const lg = await startLaneguard(root, port);
    const [amA, amB] = await startClusteredAlertmanagers({
      dir,
      webhookUrl: lg.webhookUrl,
      tokenFile,
    });
    const prom = await startPrometheus({
      dir,
      laneguard: [lg.address],
      rulesFile: shortenedRules(dir),
      alertmanagers: [amA.address, amB.address],
    });
    const procs = [lg.process, amA.process, amB.process, prom.process];
    await prom.waitForTargetUp();

    const stalledEvent = await lg.waitEvent(
      'lane_stalled',
      (e) => e.lane === 'hung',
      'hung found stalled',
      60_000,
      procs,
    );
    expect(stalledEvent).toMatchObject({ lane: 'hung', pid: hungPid });
    await until(
      'Prometheus to see hung stalled',
      async () =>
        (await prom.query('laneguard_lane_stalled{lane="hung"} == 1')).data?.result.length,
      30_000,
      procs,
    );
    const restarted = await lg.waitEvent(
      'lane_restarted',
      (e) => e.lane === 'hung',
      'hung restarted by the alert',
      120_000,
      procs,
    );
    const newPid = restarted.pid as number;
    for (const am of [amA, amB]) {
      await until(
        `${am.name} to have notified laneguard`,
        async () => (await am.notificationsSent()) > 0,
        30_000,
        procs,
      );
    }
    // Let every pending delivery arrive (group_interval 1 s, retries), then stop laneguard.
    await new Promise((r) => setTimeout(r, 3000));
    await lg.stop();

    const received = lg
      .events('alert_received')
      .filter((e) => e.alertname === ALERT && e.status === 'firing');
    const first = received[0]!;
    console.log(
      `[e2e] hung: stalled → restarted ${secondsBetween(stalledEvent.ts, restarted.ts)} (alert received after ${secondsBetween(stalledEvent.ts, first.ts)}; ${received.length} deliveries)`,
    );

    expect(restarted).toMatchObject({
      lane: 'hung',
      trigger: 'alert',
      old_pid: hungPid,
      pid: expect.any(Number),
    });
    expect(newPid).not.toBe(hungPid);
    expect(lg.events('lane_restarted')).toHaveLength(1);
    expect(laneWorkers(root, 'hung')).toEqual([newPid]);
    expect(laneWorkers(root, 'alive')).toEqual([alivePid]);
    expect(lg.events('lane_stalled').filter((e) => e.lane === 'alive')).toEqual([]);
    expect(first).toMatchObject({
      action: 'restart_lane',
      lane: 'hung',
      outcome: 'acted',
      reason: null,
    });
    // Per alert: acted once, every other delivery of it deduplicated — and there were duplicates.
    const byKey = new Map<string, HistoryEvent[]>();
    for (const e of received) byKey.set(key(e), [...(byKey.get(key(e)) ?? []), e]);
    for (const events of byKey.values()) {
      expect(events[0]!.outcome).toBe('acted');
      expect(events.slice(1).every((e) => e.outcome === 'deduplicated')).toBe(true);
    }
    expect(received.filter((e) => e.outcome === 'deduplicated').length).toBeGreaterThan(0);
    // The schedule never restarted anything (restart_stalled is off and mode alert observes).
    expect(
      lg
        .events('cycle')
        .filter((e) => e.trigger === 'schedule' && (e.restarted_count as number) > 0),
    ).toEqual([]);
  });
});
