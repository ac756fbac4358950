// Two Alertmanagers clustered over loopback gossip, both fed by Prometheus: however many of them
// deliver, laneguard recovers exactly once (its ledger absorbs HA duplicates).
import { afterEach, describe, expect, it } from 'vitest';
import { useModelServer } from '../helpers/model-server.js';
import type { HistoryEvent } from '../../src/history/store.js';
import { tempDir } from '../helpers/tmp.js';
import {
  fleetRoot,
  freePort,
  shortenedRules,
  startClusteredAlertmanagers,
  startLaneguard,
  startPrometheus,
  stopAll,
  until,
} from './harness/index.js';

const models = useModelServer();
afterEach(stopAll);

const key = (e: HistoryEvent) => `${String(e.fingerprint)}@${String(e.starts_at)}`;

describe('HA Alertmanagers', () => {
  it('two clustered Alertmanagers deliver the same alert; one recovery happens', async () => {
    const dir = tempDir('laneguard-e2e-ha-');
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
      guard: { mode: 'alert', interval_sec: 1 },
    });
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

    await lg.waitEvent(
      'lane_started',
      (e) => e.lane === 'worker-a',
      'worker-a started by an alert',
      90_000,
      procs,
    );
    // Both members hold the alert Prometheus sent them.
    for (const am of [amA, amB]) {
      await until(
        `${am.name} to hold the recovery alert`,
        async () => (await am.alerts()).some((a) => a.labels.laneguard_action !== undefined),
        20_000,
        procs,
      );
    }
    // Let every pending delivery (group_interval 1 s, retries) arrive, then stop laneguard.
    await until(
      'both members to have notified laneguard',
      async () => (await amA.notificationsSent()) > 0 && (await amB.notificationsSent()) > 0,
      30_000,
      procs,
    );
    await new Promise((r) => setTimeout(r, 3000));
    await lg.stop();

    const received = lg.events('alert_received').filter((e) => e.status === 'firing');
    const byKey = new Map<string, HistoryEvent[]>();
    for (const e of received) byKey.set(key(e), [...(byKey.get(key(e)) ?? []), e]);
    const summary = [...byKey.entries()].map(
      ([k, es]) => `${String(es[0]!.alertname)} ${k}: ${es.map((e) => e.outcome).join(', ')}`,
    );
    console.log(
      `[e2e] HA deliveries (alertmanager-a sent ${await amA.notificationsSent().catch(() => '?')}, alertmanager-b ${await amB.notificationsSent().catch(() => '?')} notifications):\n  ${summary.join('\n  ')}`,
    );

    expect(lg.events('lane_started')).toEqual([
      expect.objectContaining({ lane: 'worker-a', trigger: 'alert' }),
    ]);
    // Per alert: acted exactly once; every other delivery of it deduplicated.
    for (const events of byKey.values()) {
      expect(events[0]!.outcome).toBe('acted');
      expect(events.slice(1).every((e) => e.outcome === 'deduplicated')).toBe(true);
    }
    const duplicates = received.filter((e) => e.outcome === 'deduplicated');
    expect(duplicates.length).toBeGreaterThan(0);
  });
});
