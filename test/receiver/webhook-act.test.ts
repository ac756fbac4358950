// What valid alerts do on a real sandbox fleet: the catalogue actions, the gates (resolved, lane,
// instance, mode), the answer counts, and the history and metrics of every outcome.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelServer } from '../../src/sandbox/model-server.js';
import { ENSURE_LOG } from '../../src/sandbox/paths.js';
import type { SandboxLane } from '../../src/sandbox/root.js';
import { laneWorkers } from '../helpers/tmp.js';
import {
  alert,
  metricValue,
  postAlerts,
  receiverFixture,
  type ReceiverFixture,
} from './helpers.js';

let server: ModelServer;
beforeAll(async () => {
  server = await new ModelServer().start();
});
afterAll(async () => server.stop());

const starved = (id: string, pending = 3): SandboxLane => ({
  id,
  urls: [server.baseUrl],
  pending,
  continuous: true,
  sandbox: { worker: 'idle' },
});
const fleet = (
  guard: Record<string, unknown> = {},
  lanes = [starved('lane-a'), starved('lane-b', 2)],
) => ({
  endpoints: [{ id: 'lm', base_url: server.baseUrl, max_parallel: 4 }],
  lanes,
  guard,
});

const received = (f: ReceiverFixture) =>
  f.events('alert_received').map((e) => ({
    alertname: e.alertname,
    action: e.action,
    lane: e.lane,
    outcome: e.outcome,
    reason: e.reason,
  }));
const cycles = (f: ReceiverFixture) => f.events('cycle').filter((e) => e.trigger === 'alert');
const started = (f: ReceiverFixture) =>
  f.events('lane_started').map((e) => ({ lane: e.lane, trigger: e.trigger }));

describe('webhook: catalogue actions', () => {
  it('recover: answers with counts, records the alert, then one alert cycle starts the starved lanes', async () => {
    const f = receiverFixture(fleet());
    expect(await postAlerts(f, [alert()])).toEqual({
      accepted: 1,
      deduplicated: 0,
      ignored: 0,
      resolved: 0,
    });
    expect(f.events('alert_received')).toEqual([
      expect.objectContaining({
        alertname: 'LaneguardFleetIdleWhileDemand',
        fingerprint: 'a1b2c3d4e5f60718',
        status: 'firing',
        starts_at: '2026-01-01T00:00:00.123456789Z',
        action: 'recover',
        outcome: 'acted',
        reason: null,
      }),
    ]);
    await f.settle();
    expect(cycles(f)).toHaveLength(1);
    expect(started(f)).toEqual([
      { lane: 'lane-a', trigger: 'alert' },
      { lane: 'lane-b', trigger: 'alert' },
    ]);
    expect(laneWorkers(f.root, 'lane-a')).toHaveLength(1);
    expect(await metricValue(f.service, 'laneguard_webhook_requests_total', { code: '200' })).toBe(
      1,
    );
    expect(
      await metricValue(f.service, 'laneguard_webhook_alerts_total', { outcome: 'acted' }),
    ).toBe(1);
    expect(
      await metricValue(f.service, 'laneguard_lane_starts_total', {
        lane: 'lane-a',
        trigger: 'alert',
        result: 'success',
      }),
    ).toBe(1);
    const ledger = JSON.parse(readFileSync(f.service.config.paths.ledger, 'utf8'));
    expect(ledger).toEqual({
      version: 1,
      entries: {
        'a1b2c3d4e5f60718@2026-01-01T00:00:00.123456789Z': {
          fingerprint: 'a1b2c3d4e5f60718',
          starts_at: '2026-01-01T00:00:00.123456789Z',
          alertname: 'LaneguardFleetIdleWhileDemand',
          acted_at: expect.any(String),
        },
      },
    });
  });

  it("recover_lane: the cycle is limited to the alert's lane", async () => {
    const f = receiverFixture(fleet());
    expect(
      await postAlerts(f, [
        alert({
          labels: {
            alertname: 'LaneguardLanesStarved',
            laneguard_action: 'recover_lane',
            lane: 'lane-b',
          },
        }),
      ]),
    ).toMatchObject({ accepted: 1 });
    await f.settle();
    expect(started(f)).toEqual([{ lane: 'lane-b', trigger: 'alert' }]);
    expect(laneWorkers(f.root, 'lane-a')).toEqual([]);
    const report = JSON.parse(readFileSync(f.service.config.paths.report, 'utf8'));
    expect(report.skipped).toContainEqual({ id: 'lane-a', reason: 'not_targeted' });
  });

  it("ensure: runs the fleet's ensure command once, recorded with trigger alert", async () => {
    const f = receiverFixture(fleet());
    const ensure = (fp: string) =>
      alert({
        fingerprint: fp,
        labels: { alertname: 'FleetNeedsEnsure', laneguard_action: 'ensure' },
      });
    expect(await postAlerts(f, [ensure('e1'), ensure('e2')])).toMatchObject({ accepted: 2 });
    await f.settle();
    expect(f.events('ensure_ran')).toEqual([
      expect.objectContaining({ trigger: 'alert', ok: true, exit_code: 0 }),
    ]);
    expect(readFileSync(path.join(f.root, ENSURE_LOG), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(cycles(f)).toEqual([]);
    expect(
      await metricValue(f.service, 'laneguard_recovery_actions_total', {
        action: 'ensure',
        result: 'success',
      }),
    ).toBe(1);
  });

  it('ensure is skipped below the endpoint floor', async () => {
    const f = receiverFixture(fleet({ minimum_healthy_endpoints: 2 }));
    await postAlerts(f, [alert({ labels: { laneguard_action: 'ensure' } })]);
    await f.settle();
    expect(f.events('ensure_skipped')).toEqual([
      expect.objectContaining({ trigger: 'alert', reason: 'endpoint_floor_not_met' }),
    ]);
    expect(existsSync(path.join(f.root, ENSURE_LOG))).toBe(false);
  });

  it('several acted alerts in one payload make one cycle', async () => {
    const f = receiverFixture(fleet());
    const lane = (l: string, fp: string) =>
      alert({
        fingerprint: fp,
        labels: { alertname: 'LaneguardLanesStarved', laneguard_action: 'recover_lane', lane: l },
      });
    expect(await postAlerts(f, [alert(), lane('lane-a', 'f1'), lane('lane-b', 'f2')])).toEqual({
      accepted: 3,
      deduplicated: 0,
      ignored: 0,
      resolved: 0,
    });
    await f.settle();
    expect(cycles(f)).toHaveLength(1);
    expect(started(f).map((s) => s.lane)).toEqual(['lane-a', 'lane-b']);
  });
});

describe('webhook: gates (recorded, never acting)', () => {
  it('a lane label with ../, shell characters, an unknown or a missing lane is ignored with its reason', async () => {
    const f = receiverFixture(fleet());
    const hostile = [
      '../../etc',
      'lane-a; rm -rf /',
      '$(touch pwned)',
      '`id`',
      'lane-a/../lane-b',
      '-rf',
      ' lane-a',
    ];
    const alerts = hostile.map((lane, i) =>
      alert({
        fingerprint: `h${i}`,
        labels: { alertname: 'LaneguardLanesStarved', laneguard_action: 'recover_lane', lane },
      }),
    );
    alerts.push(
      alert({ fingerprint: 'u1', labels: { laneguard_action: 'recover_lane', lane: 'ghost' } }),
    );
    alerts.push(alert({ fingerprint: 'm1', labels: { laneguard_action: 'recover_lane' } }));
    expect(await postAlerts(f, alerts)).toEqual({
      accepted: 0,
      deduplicated: 0,
      ignored: 9,
      resolved: 0,
    });
    await f.settle();
    expect(received(f).map((r) => r.reason)).toEqual([
      ...hostile.map(() => 'invalid_lane'),
      'unknown_lane',
      'missing_lane',
    ]);
    // An invalid lane id is never written anywhere, not even to history.
    expect(
      received(f)
        .slice(0, hostile.length)
        .every((r) => r.lane === null),
    ).toBe(true);
    expect(cycles(f)).toEqual([]);
    expect(existsSync(path.join(f.root, 'pwned'))).toBe(false);
    expect(readdirSync(path.join(f.root, 'artifacts/autonomy/lanes')).sort()).toEqual([
      'lane-a',
      'lane-b',
    ]);
    expect(
      await metricValue(f.service, 'laneguard_webhook_alerts_total', { outcome: 'ignored' }),
    ).toBe(9);
  });

  it('an unknown laneguard_action, no action at all, and action none are ignored', async () => {
    const f = receiverFixture(fleet());
    const result = await postAlerts(f, [
      alert({ fingerprint: 'x1', labels: { laneguard_action: 'reboot' } }),
      alert({ fingerprint: 'x2', labels: { laneguard_action: 'recover; curl evil' } }),
      alert({ fingerprint: 'x3', labels: { laneguard_action: 'RECOVER' } }),
      alert({
        fingerprint: 'x4',
        labels: {
          alertname: 'LaneguardEndpointDown',
          laneguard_action: undefined as unknown as string,
        },
      }),
      alert({ fingerprint: 'x5', labels: { laneguard_action: 'none' } }),
    ]);
    expect(result).toEqual({ accepted: 0, deduplicated: 0, ignored: 5, resolved: 0 });
    expect(received(f).map((r) => [r.action, r.reason])).toEqual([
      [null, 'unknown_action'],
      [null, 'unknown_action'],
      [null, 'unknown_action'],
      [null, 'no_action'],
      ['none', 'action_none'],
    ]);
    await f.settle();
    expect(cycles(f)).toEqual([]);
  });

  it('resolved alerts are recorded and never act', async () => {
    const f = receiverFixture(fleet());
    expect(
      await postAlerts(f, [
        alert({ status: 'resolved' }),
        alert({
          status: 'resolved',
          fingerprint: 'r2',
          labels: { laneguard_action: 'recover_lane', lane: 'lane-a' },
        }),
      ]),
    ).toEqual({ accepted: 0, deduplicated: 0, ignored: 0, resolved: 2 });
    await f.settle();
    expect(received(f).map((r) => [r.outcome, r.reason])).toEqual([
      ['resolved', 'resolved'],
      ['resolved', 'resolved'],
    ]);
    expect(cycles(f)).toEqual([]);
    expect(existsSync(f.service.config.paths.ledger)).toBe(false);
    expect(
      await metricValue(f.service, 'laneguard_webhook_alerts_total', { outcome: 'resolved' }),
    ).toBe(2);
  });

  it("webhook.instance: another host's alert is ignored; this host's (or one without instance) acts", async () => {
    const f = receiverFixture(fleet({ webhook: { instance: 'gpu-box-1' } }));
    const at = (instance: string | undefined, fp: string) =>
      alert({ fingerprint: fp, labels: { instance: instance as string } });
    expect(
      await postAlerts(f, [
        at('gpu-box-2:9477', 'i1'),
        at('gpu-box-10', 'i2'),
        at('GPU-BOX-1:9477', 'i3'),
        at(undefined, 'i4'),
      ]),
    ).toEqual({ accepted: 2, deduplicated: 0, ignored: 2, resolved: 0 });
    expect(received(f).map((r) => r.reason)).toEqual([
      'other_instance',
      'other_instance',
      null,
      null,
    ]);
    await f.settle();
    expect(cycles(f)).toHaveLength(1);
  });

  it('webhook.instance with a port must match the port too', async () => {
    const f = receiverFixture(fleet({ webhook: { instance: '127.0.0.1:9477' } }));
    expect(
      await postAlerts(f, [alert({ fingerprint: 'p1', labels: { instance: '127.0.0.1:9999' } })]),
    ).toMatchObject({ ignored: 1 });
    expect(received(f)[0]?.reason).toBe('other_instance');
    await f.settle();
    expect(cycles(f)).toEqual([]);
  });

  it('mode autonomous: alerts are recorded, nothing acts', async () => {
    const f = receiverFixture(fleet({ mode: 'autonomous' }));
    expect(
      await postAlerts(f, [
        alert(),
        alert({ fingerprint: 'l1', labels: { laneguard_action: 'recover_lane', lane: 'lane-a' } }),
        alert({ fingerprint: 'e1', labels: { laneguard_action: 'ensure' } }),
      ]),
    ).toEqual({ accepted: 0, deduplicated: 0, ignored: 3, resolved: 0 });
    expect(received(f).map((r) => r.reason)).toEqual([
      'mode_autonomous',
      'mode_autonomous',
      'mode_autonomous',
    ]);
    await f.settle();
    expect(cycles(f)).toEqual([]);
    expect(f.events('ensure_ran')).toEqual([]);
    expect(existsSync(f.service.config.paths.ledger)).toBe(false);
  });

  it('mode alert: a schedule cycle only observes, the alert recovers', async () => {
    const f = receiverFixture(fleet({ mode: 'alert' }));
    await f.service.cycle({ trigger: 'schedule' });
    expect(started(f)).toEqual([]);
    const report = JSON.parse(readFileSync(f.service.config.paths.report, 'utf8'));
    expect(report.skipped).toContainEqual({ id: 'lane-a', reason: 'observe_only' });
    await postAlerts(f, [alert()]);
    await f.settle();
    expect(started(f)).toEqual([
      { lane: 'lane-a', trigger: 'alert' },
      { lane: 'lane-b', trigger: 'alert' },
    ]);
  });
});

describe('webhook: webhook.routes', () => {
  const routes = [
    { match: { alertname: 'LaneguardLanesStarved' }, action: 'recover_lane' },
    { match: { severity: 'critical' }, action: 'recover' },
    { match: { severity: 'critical', team: 'ml' }, action: 'ensure' },
    { match: { alertname: 'Noise' }, action: 'none' },
  ];

  it('the first matching route decides; a laneguard_action label wins over routes', async () => {
    const f = receiverFixture(fleet({ webhook: { routes } }));
    const plain = (fp: string, labels: Record<string, string>) => {
      const a = alert({ fingerprint: fp, labels });
      delete (a.labels as Record<string, string>).laneguard_action;
      return a;
    };
    await postAlerts(f, [
      plain('r1', { alertname: 'LaneguardLanesStarved', lane: 'lane-b', severity: 'critical' }),
      plain('r2', { alertname: 'Other', severity: 'critical', team: 'ml' }),
      plain('r3', { alertname: 'Noise' }),
      plain('r4', { alertname: 'Other', severity: 'warning' }),
      alert({
        fingerprint: 'r5',
        labels: { alertname: 'Noise', laneguard_action: 'recover_lane', lane: 'lane-a' },
      }),
    ]);
    expect(received(f).map((r) => [r.action, r.outcome, r.reason])).toEqual([
      ['recover_lane', 'acted', null],
      ['recover', 'acted', null],
      ['none', 'ignored', 'action_none'],
      [null, 'ignored', 'no_action'],
      ['recover_lane', 'acted', null],
    ]);
    await f.settle();
    expect(cycles(f)).toHaveLength(1);
  });
});
