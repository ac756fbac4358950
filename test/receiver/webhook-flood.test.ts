// A flood of webhook traffic cannot flush the history: 100,000 requests of each kind (no token,
// hostile payloads with a token, valid alerts that change nothing) and the lane starts recorded
// before are still what `laneguard history` returns.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../../src/receiver/errors.js';
import { parsePayload } from '../../src/receiver/payload.js';
import { WebhookReceiver } from '../../src/receiver/receiver.js';
import { ModelServer } from '../../src/sandbox/model-server.js';
import { laneguard } from '../helpers/cli.js';
import { flood, rawPost } from '../helpers/flood.js';
import { alert, BEARER, metricValue, payload, receiverFixture } from './helpers.js';

let models: ModelServer;
beforeAll(async () => {
  models = await new ModelServer().start();
});
afterAll(async () => models.stop());

const FLOOD = 100_000;
/** Requests of each kind sent over a real loopback connection (the rest go to the receiver in-process). */
const OVER_HTTP = 2_000;
const PATH = '/alertmanager/webhook';

const body = JSON.stringify(payload([alert()]));
// A label key far longer than any path in an answer or a record may be.
const hostile = JSON.stringify(
  payload([alert({ labels: { ['k'.repeat(20_000)]: 7 as unknown as string } })]),
);
const quiet = JSON.stringify(payload([alert({ labels: { laneguard_action: 'none' } })]));

describe('webhook flood', () => {
  it('after 100,000 requests of each kind the earlier lane_started events are still in history', async () => {
    // A small history (3 × 256 KiB) that one unthrottled flood would rotate out many times over.
    const f = receiverFixture({
      endpoints: [{ id: 'lm', base_url: models.baseUrl }],
      lanes: [
        {
          id: 'starved',
          urls: [models.baseUrl],
          pending: 3,
          continuous: true,
          sandbox: { worker: 'idle' as const },
        },
      ],
      guard: { history: { max_bytes: 256 * 1024, keep_files: 2 } },
    });
    await f.service.cycle({ trigger: 'manual' });
    const started = f.events('lane_started');
    expect(started.map((e) => e.lane)).toEqual(['starved']);

    // Over HTTP: the route feeds every request to the same limits.
    const server = await new Promise<Server>((resolve) => {
      const s = createServer(f.app).listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const port = (server.address() as { port: number }).port;
      expect((await flood(port, rawPost(PATH, body), OVER_HTTP)).statuses.get(401)).toBe(OVER_HTTP);
      expect(
        (
          await flood(port, rawPost(PATH, hostile, { Authorization: BEARER }), OVER_HTTP)
        ).statuses.get(400),
      ).toBe(OVER_HTTP);
      expect(
        (
          await flood(port, rawPost(PATH, quiet, { Authorization: BEARER }), OVER_HTTP)
        ).statuses.get(200),
      ).toBe(OVER_HTTP);
    } finally {
      await new Promise((r) => server.close(r));
    }

    // The rest of each 100,000 in-process, through the receiver the route calls (what each request
    // of that kind ends in), so the flood costs seconds instead of minutes of HTTP parsing.
    const receiver = new WebhookReceiver(f.service);
    const bad = parsePayload(hostile);
    const ignored = parsePayload(quiet);
    if (bad.ok || !ignored.ok) throw new Error('fixture payloads are wrong');
    for (let i = OVER_HTTP; i < FLOOD; i++) receiver.rejected(rejection('AUTH_MISSING'));
    for (let i = OVER_HTTP; i < FLOOD; i++) receiver.rejected(bad.rejection);
    for (let i = OVER_HTTP; i < FLOOD; i++) await receiver.accept(ignored.payload);
    await f.settle();

    // Every request was counted; the history got a handful of lines.
    expect(
      await metricValue(f.service, 'laneguard_webhook_rejections_total', {
        reason: 'missing_credentials',
      }),
    ).toBe(FLOOD);
    expect(
      await metricValue(f.service, 'laneguard_webhook_rejections_total', {
        reason: 'invalid_payload',
      }),
    ).toBe(FLOOD);
    expect(
      await metricValue(f.service, 'laneguard_webhook_alerts_total', { outcome: 'ignored' }),
    ).toBe(FLOOD);
    expect(f.events('webhook_rejected').length).toBeLessThanOrEqual(10);
    expect(f.events('alert_received').length).toBeLessThanOrEqual(100);
    for (const e of f.events('webhook_rejected'))
      expect(JSON.stringify(e).length).toBeLessThan(1024);

    const history = await laneguard([
      '--root',
      f.root,
      'history',
      '--type',
      'lane_started',
      '--json',
    ]);
    expect(history.code).toBe(0);
    const lines = history.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { lane: string; ts: string });
    expect(lines).toEqual(started.map((e) => expect.objectContaining({ lane: e.lane, ts: e.ts })));
  }, 300_000);
});
