// Idempotency: (fingerprint, startsAt) keys acted on within webhook.dedupe_window_sec are
// deduplicated — in a burst, while the recovery runs, across a restart — and act again after it.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelServer } from '../../src/sandbox/model-server.js';
import { parsePayload } from '../../src/receiver/payload.js';
import { WebhookReceiver } from '../../src/receiver/receiver.js';
import { FakeClock } from '../../src/util/clock.js';
import { laneWorkers } from '../helpers/tmp.js';
import {
  alert,
  BEARER,
  metricValue,
  payload,
  postAlerts,
  receiverFixture,
  starvedLane,
  type ReceiverFixture,
} from './helpers.js';

let server: ModelServer;
beforeAll(async () => {
  server = await new ModelServer().start();
});
afterAll(async () => server.stop());

const fleet = (guard: Record<string, unknown> = {}) => ({
  endpoints: [{ id: 'lm', base_url: server.baseUrl, max_parallel: 4 }],
  lanes: [starvedLane('lane-a', server.baseUrl)],
  guard,
});
const laneAlert = (over: { fingerprint?: string; startsAt?: string } = {}) =>
  alert({
    ...over,
    labels: {
      alertname: 'LaneguardLanesStarved',
      laneguard_action: 'recover_lane',
      lane: 'lane-a',
    },
  });

const outcomes = (f: ReceiverFixture) => f.events('alert_received').map((e) => e.outcome);
const alertCycles = (f: ReceiverFixture) => f.events('cycle').filter((e) => e.trigger === 'alert');

describe('webhook: deduplication', () => {
  it('1,000 identical posts in a burst: one acted, 999 deduplicated, one cycle, one start', async () => {
    const f = receiverFixture(fleet());
    const listening = createServer(f.app).listen(0, '127.0.0.1');
    await new Promise((r) => listening.once('listening', r));
    const url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    const agent = new Agent({ keepAlive: true, maxSockets: 100 });
    const body = JSON.stringify(payload([laneAlert()]));
    try {
      const answers = await Promise.all(
        Array.from({ length: 1000 }, () =>
          request(url)
            .post('/alertmanager/webhook')
            .agent(agent)
            .set('authorization', BEARER)
            .set('content-type', 'application/json')
            .send(body),
        ),
      );
      expect(answers.every((a) => a.status === 200)).toBe(true);
      const sum = (k: string) => answers.reduce((n, a) => n + (a.body[k] as number), 0);
      expect({
        accepted: sum('accepted'),
        deduplicated: sum('deduplicated'),
        ignored: sum('ignored'),
        resolved: sum('resolved'),
      }).toEqual({ accepted: 1, deduplicated: 999, ignored: 0, resolved: 0 });
      await f.settle();
    } finally {
      agent.destroy();
      await new Promise((r) => listening.close(r));
    }
    expect(outcomes(f).filter((o) => o === 'acted')).toHaveLength(1);
    // All 999 are counted; the history writes 30 duplicates a minute (the flood limit), the next one
    // written saying how many were left out. (The burst may straddle a minute on a slow machine.)
    const written = f.events('alert_received').filter((e) => e.outcome === 'deduplicated');
    const leftOut = written.reduce((n, e) => n + ((e.suppressed as number | undefined) ?? 0), 0);
    expect(written.length).toBeGreaterThanOrEqual(30);
    expect(written.length).toBeLessThan(999);
    expect(written.length + leftOut).toBeLessThanOrEqual(999);
    expect(alertCycles(f)).toHaveLength(1);
    expect(f.events('lane_started')).toHaveLength(1);
    expect(laneWorkers(f.root, 'lane-a')).toHaveLength(1);
    expect(
      await metricValue(f.service, 'laneguard_webhook_alerts_total', { outcome: 'deduplicated' }),
    ).toBe(999);
    expect(await metricValue(f.service, 'laneguard_webhook_requests_total', { code: '200' })).toBe(
      1000,
    );
  });

  it('concurrent payloads whose lane lookups finish in any order still act once per key', async () => {
    const f = receiverFixture(fleet());
    // A slow, jittery lane listing (as a `command` lane source would be) interleaves the requests.
    const slowLanes = async () => {
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      return new Set(['lane-a']);
    };
    const receiver = new WebhookReceiver(f.service, slowLanes);
    const parsed = parsePayload(JSON.stringify(payload([laneAlert()])));
    if (!parsed.ok) throw new Error(parsed.rejection.message);
    const decisions = await Promise.all(
      Array.from({ length: 200 }, () => receiver.accept(parsed.payload)),
    );
    expect(decisions.filter((d) => d.counts.accepted === 1)).toHaveLength(1);
    expect(decisions.filter((d) => d.counts.deduplicated === 1)).toHaveLength(199);
  });

  it('the acting alert is answered once its key is on disk; a duplicate meanwhile is deduplicated without waiting for the disk', async () => {
    const f = receiverFixture(fleet());
    const receiver = new WebhookReceiver(f.service);
    const parsed = parsePayload(JSON.stringify(payload([laneAlert()])));
    if (!parsed.ok) throw new Error(parsed.rejection.message);
    const keys = (): string[] =>
      existsSync(f.service.config.paths.ledger)
        ? Object.keys(JSON.parse(readFileSync(f.service.config.paths.ledger, 'utf8')).entries)
        : [];
    let actedAnswered = false;
    const acting = receiver.accept(parsed.payload).then((d) => {
      actedAnswered = true;
      expect(keys()).toHaveLength(1);
      return d;
    });
    // Sent while the first one's lane read or ledger write is in flight.
    await new Promise((r) => setImmediate(r));
    const duplicate = await receiver.accept(parsed.payload);
    expect(duplicate.counts).toMatchObject({ accepted: 0, deduplicated: 1 });
    expect((await acting).counts).toMatchObject({ accepted: 1 });
    expect(actedAnswered).toBe(true);
    await f.settle();
  });

  it('a duplicate arriving while the first recovery still runs is deduplicated', async () => {
    const f = receiverFixture(fleet({ start_verify_sec: 2 }));
    expect(await postAlerts(f, [laneAlert()])).toMatchObject({ accepted: 1 });
    expect(f.service.runner.busy).toBe(true);
    expect(await postAlerts(f, [laneAlert()])).toMatchObject({ accepted: 0, deduplicated: 1 });
    expect(f.service.runner.busy).toBe(true);
    await f.settle();
    expect(alertCycles(f)).toHaveLength(1);
  });

  it('the same fingerprint with a new startsAt is a new alert and acts', async () => {
    const f = receiverFixture(fleet());
    await postAlerts(f, [laneAlert()]);
    await f.settle();
    expect(await postAlerts(f, [laneAlert({ startsAt: '2026-01-01T01:00:00Z' })])).toMatchObject({
      accepted: 1,
    });
    await f.settle();
    expect(alertCycles(f)).toHaveLength(2);
  });

  it('the ledger survives a restart: a new service on the same root deduplicates', async () => {
    const first = receiverFixture(fleet());
    await postAlerts(first, [laneAlert()]);
    await first.settle();
    const second = receiverFixture(fleet(), { root: first.root });
    expect(await postAlerts(second, [laneAlert()])).toEqual({
      accepted: 0,
      deduplicated: 1,
      ignored: 0,
      resolved: 0,
    });
    await second.settle();
    expect(outcomes(second)).toEqual(['acted', 'deduplicated']);
    expect(alertCycles(second)).toHaveLength(1);
  });

  it('after dedupe_window_sec a repeat acts again, and expired keys are pruned from the file', async () => {
    const clock = new FakeClock('2026-03-01T10:00:00.000Z');
    const f = receiverFixture(fleet({ webhook: { dedupe_window_sec: 300 } }), { clock });
    await postAlerts(f, [laneAlert(), laneAlert({ fingerprint: 'other0000000001' })]);
    await f.settle();
    const keysAt = () =>
      Object.keys(JSON.parse(readFileSync(f.service.config.paths.ledger, 'utf8')).entries).sort();
    expect(keysAt()).toHaveLength(2);
    clock.set('2026-03-01T10:04:59.000Z');
    expect(await postAlerts(f, [laneAlert()])).toMatchObject({ accepted: 0, deduplicated: 1 });
    clock.set('2026-03-01T10:05:00.500Z');
    expect(await postAlerts(f, [laneAlert()])).toMatchObject({ accepted: 1, deduplicated: 0 });
    await f.settle();
    // Re-recorded at 10:05:00.5; the other key expired and is gone.
    const ledger = JSON.parse(readFileSync(f.service.config.paths.ledger, 'utf8'));
    expect(Object.values(ledger.entries)).toEqual([
      expect.objectContaining({
        fingerprint: 'a1b2c3d4e5f60718',
        acted_at: '2026-03-01T10:05:00.500Z',
      }),
    ]);
    expect(outcomes(f)).toEqual(['acted', 'acted', 'deduplicated', 'acted']);
  });

  it('a corrupt ledger is moved aside and recorded; the receiver starts with an empty one', async () => {
    const f = receiverFixture(fleet());
    const file = f.service.config.paths.ledger;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"version": 1, "entries": {"torn');
    expect(await postAlerts(f, [laneAlert()])).toMatchObject({ accepted: 1 });
    await f.settle();
    expect(f.events('state_repaired')).toEqual([
      expect.objectContaining({ file, moved_to: expect.stringContaining('.corrupt-') }),
    ]);
    const aside = readdirSync(path.dirname(file)).filter((n) =>
      n.startsWith(`${path.basename(file)}.corrupt-`),
    );
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(path.dirname(file), aside[0]!), 'utf8')).toBe(
      '{"version": 1, "entries": {"torn',
    );
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe(1);
  });

  it('ignored and resolved alerts are not recorded in the ledger (a later firing one still acts)', async () => {
    const f = receiverFixture(fleet());
    await postAlerts(f, [
      alert({ fingerprint: 'zz1', status: 'resolved' }),
      alert({ fingerprint: 'zz2', labels: { laneguard_action: 'recover_lane', lane: 'ghost' } }),
    ]);
    expect(existsSync(f.service.config.paths.ledger)).toBe(false);
    expect(await postAlerts(f, [alert({ fingerprint: 'zz1' })])).toMatchObject({ accepted: 1 });
    await f.settle();
  });
});
