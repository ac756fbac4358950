// laneguard restarted between two deliveries of the same alert (same fingerprint and startsAt):
// the second delivery, to the new process, is still deduplicated — the ledger survives restarts.
//
// The alert is put into a real Alertmanager through its API rather than fired by Prometheus: while
// laneguard restarts, Prometheus would fail a scrape, mark its series stale and resolve the alert,
// and the next firing would carry a new startsAt (a new alert, rightly acted on).
import { afterEach, describe, expect, it } from 'vitest';
import { useModelServer } from '../helpers/model-server.js';
import { tempDir } from '../helpers/tmp.js';
import {
  fleetRoot,
  freePort,
  secondsBetween,
  startAlertmanager,
  startLaneguard,
  stopAll,
} from './harness/index.js';

const models = useModelServer();
afterEach(stopAll);

describe('restart between deliveries', () => {
  it('a repeat of an acted alert reaching a restarted laneguard is deduplicated', async () => {
    const dir = tempDir('laneguard-e2e-restart-');
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
    const first = await startLaneguard(root, port, 'laneguard-1');
    // Repeats every ~2 s while the alert fires (the shipped repeat_interval is 10 m).
    const am = await startAlertmanager({
      dir,
      name: 'alertmanager',
      webhookUrl: first.webhookUrl,
      tokenFile,
      timings: { groupWait: '1s', groupInterval: '1s', repeatInterval: '2s' },
    });
    const startsAt = new Date().toISOString();
    await am.post([
      {
        labels: {
          alertname: 'LaneguardFleetIdleWhileDemand',
          laneguard_action: 'recover',
          job: 'laneguard',
          instance: first.address,
          severity: 'warning',
        },
        startsAt,
        endsAt: new Date(Date.now() + 3600_000).toISOString(),
      },
    ]);

    const acted = await first.waitEvent(
      'alert_received',
      (e) => e.outcome === 'acted',
      'the first delivery to act',
      30_000,
      [am.process],
    );
    await first.waitEvent(
      'lane_started',
      (e) => e.trigger === 'alert',
      'the alert cycle to start worker-a',
      30_000,
      [am.process],
    );
    await first.stop();
    const stoppedAt = Date.now();

    const second = await startLaneguard(root, port, 'laneguard-2');
    const restartedAt = second.events('guard_started').at(-1)!.ts;
    const repeat = await second.waitEvent(
      'alert_received',
      (e) => e.ts > restartedAt,
      'a delivery to the restarted laneguard',
      30_000,
      [am.process],
    );
    console.log(
      `[e2e] restart: laneguard down for ${secondsBetween(stoppedAt, restartedAt)}; first delivery to the new process ${secondsBetween(restartedAt, repeat.ts)} after its start`,
    );
    await second.stop();

    expect(repeat).toMatchObject({
      alertname: 'LaneguardFleetIdleWhileDemand',
      fingerprint: acted.fingerprint,
      starts_at: acted.starts_at,
      outcome: 'deduplicated',
      reason: 'duplicate',
    });
    const deliveries = second.events('alert_received');
    expect(deliveries.map((e) => e.outcome)).toEqual([
      'acted',
      ...deliveries.slice(1).map(() => 'deduplicated'),
    ]);
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
    // One action in all: one alert cycle, one start.
    expect(second.events('cycle').filter((e) => e.trigger === 'alert')).toHaveLength(1);
    expect(second.events('lane_started')).toHaveLength(1);
    expect(second.events('guard_started')).toHaveLength(2);
  });
});
