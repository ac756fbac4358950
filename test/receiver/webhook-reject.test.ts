// POST /alertmanager/webhook facing bad and hostile requests: each gets its status, code and reason,
// is counted (laneguard_webhook_requests_total, laneguard_webhook_rejections_total), recorded
// (`webhook_rejected`, at most once per reason and minute), and nothing acts.
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_ERRORS } from '../../src/receiver/errors.js';
import { ModelServer } from '../../src/sandbox/model-server.js';
import { FakeClock } from '../../src/util/clock.js';
import {
  alert,
  BEARER,
  metricValue,
  payload,
  receiverFixture as realReceiverFixture,
  TOKEN,
  type FixtureOptions,
  type ReceiverFixture,
} from './helpers.js';
import type { SandboxRootSpec } from '../../src/sandbox/root.js';

/** Each fixture has its own clock, moved past the one-event-per-minute window after every rejection. */
const receiverFixture = (spec: SandboxRootSpec, options: FixtureOptions = {}): ReceiverFixture =>
  realReceiverFixture(spec, { clock: new FakeClock(new Date()), ...options });

let server: ModelServer;
beforeAll(async () => {
  server = await new ModelServer().start();
});
afterAll(async () => server.stop());

const PATH = '/alertmanager/webhook';
const fleet = (guard: Record<string, unknown> = {}) => ({
  endpoints: [{ id: 'lm', base_url: server.baseUrl }],
  lanes: [
    {
      id: 'starved',
      urls: [server.baseUrl],
      pending: 3,
      continuous: true,
      sandbox: { worker: 'idle' as const },
    },
  ],
  guard,
});
/** Send bytes as they are (superagent would JSON-encode a Buffer sent as application/json). */
const asIs = (b: Buffer): string => b as unknown as string;
const valid = () => JSON.stringify(payload([alert()]));

/** The request was turned away with this catalogue entry, recorded once, and changed nothing. */
async function expectRejected(
  f: ReceiverFixture,
  res: request.Response,
  name: keyof typeof WEBHOOK_ERRORS,
  detail?: RegExp,
): Promise<void> {
  const spec = WEBHOOK_ERRORS[name];
  expect(res.status).toBe(spec.status);
  expect(res.body).toMatchObject({ error: spec.reason, code: spec.code });
  expect(res.body.message).toContain(spec.message);
  if (detail) expect(res.body.message).toMatch(detail);
  await f.settle();
  const rejected = f.events('webhook_rejected');
  expect(rejected.at(-1)).toMatchObject({
    reason: spec.reason,
    code: spec.code,
    status: spec.status,
    suppressed: 0,
  });
  expect(
    await metricValue(f.service, 'laneguard_webhook_requests_total', { code: String(spec.status) }),
  ).toBe(rejected.filter((e) => e.status === spec.status).length);
  expect(
    await metricValue(f.service, 'laneguard_webhook_rejections_total', { reason: spec.reason }),
  ).toBe(rejected.filter((e) => e.reason === spec.reason).length);
  // Neither the answer nor the record quotes the body.
  expect(res.text.length).toBeLessThan(1024);
  expect(JSON.stringify(rejected.at(-1)).length).toBeLessThan(1024);
  (f.service.clock as FakeClock).advance(61_000);
  expect(f.events('alert_received')).toEqual([]);
  expect(f.events('cycle')).toEqual([]);
  expect(existsSync(f.service.config.paths.ledger)).toBe(false);
  expect(JSON.stringify(f.events())).not.toContain(TOKEN);
}

describe('webhook: authentication', () => {
  it('401 without an Authorization header, with a Bearer challenge', async () => {
    const f = receiverFixture(fleet());
    const res = await request(f.app)
      .post(PATH)
      .set('content-type', 'application/json')
      .send(valid());
    expect(res.headers['www-authenticate']).toBe('Bearer realm="laneguard"');
    await expectRejected(f, res, 'AUTH_MISSING');
  });

  it('401 with a wrong token, a token with a suffix, or another scheme', async () => {
    const f = receiverFixture(fleet());
    for (const header of [
      'Bearer wrong',
      `Bearer ${TOKEN}x`,
      `Token ${TOKEN}`,
      `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`,
    ]) {
      const res = await request(f.app)
        .post(PATH)
        .set('authorization', header)
        .set('content-type', 'application/json')
        .send(valid());
      await expectRejected(f, res, 'AUTH_INVALID');
    }
    expect(f.events('webhook_rejected')).toHaveLength(4);
  });

  it('401 for a huge body without a token: turned away before the body is read', async () => {
    const f = receiverFixture(fleet());
    const huge = JSON.stringify(
      payload([alert({ labels: { padding: 'x'.repeat(5 * 1024 * 1024) } })]),
    );
    const res = await request(f.app).post(PATH).set('content-type', 'application/json').send(huge);
    await expectRejected(f, res, 'AUTH_MISSING');
  });

  it('403 when no credentials are configured at all, whatever is sent', async () => {
    const f = receiverFixture(fleet(), { token: false });
    const res = await request(f.app)
      .post(PATH)
      .set('authorization', BEARER)
      .set('content-type', 'application/json')
      .send(valid());
    await expectRejected(f, res, 'AUTH_UNCONFIGURED', /server\.token_file/);
  });

  it('accepts basic auth when server.basic_auth is configured', async () => {
    const f = receiverFixture(
      fleet({ server: { basic_auth: { username: 'am', password_file: 'config/webhook.token' } } }),
    );
    const bad = await request(f.app)
      .post(PATH)
      .auth('am', 'nope')
      .set('content-type', 'application/json')
      .send(valid());
    await expectRejected(f, bad, 'AUTH_INVALID');
    const good = await request(f.app)
      .post(PATH)
      .auth('am', TOKEN)
      .set('content-type', 'application/json')
      .send(valid());
    expect(good.status).toBe(200);
    await f.settle();
  });
});

describe('webhook: body and payload', () => {
  const post = (f: ReceiverFixture) => request(f.app).post(PATH).set('authorization', BEARER);

  it('400 wrong_content_type for text/plain, form data, no content type and a non-utf-8 charset', async () => {
    const f = receiverFixture(fleet());
    await expectRejected(
      f,
      await post(f).set('content-type', 'text/plain').send(valid()),
      'WRONG_CONTENT_TYPE',
      /text\/plain/,
    );
    await expectRejected(
      f,
      await post(f).type('form').send({ version: '4' }),
      'WRONG_CONTENT_TYPE',
    );
    await expectRejected(f, await post(f).send(Buffer.from(valid())), 'WRONG_CONTENT_TYPE');
    await expectRejected(
      f,
      await post(f).set('content-type', 'application/json; charset=latin1').send(valid()),
      'WRONG_CONTENT_TYPE',
      /latin1/,
    );
    const ok = await post(f).set('content-type', 'application/json; charset=utf-8').send(valid());
    expect(ok.status).toBe(200);
    await f.settle();
  });

  it('400 invalid_json for broken JSON, an empty body and invalid UTF-8', async () => {
    const f = receiverFixture(fleet());
    await expectRejected(
      f,
      await post(f).set('content-type', 'application/json').send('{"version": "4", "alerts": [}'),
      'INVALID_JSON',
    );
    await expectRejected(
      f,
      await post(f).set('content-type', 'application/json').send(''),
      'INVALID_JSON',
      /empty body/,
    );
    await expectRejected(
      f,
      await post(f)
        .set('content-type', 'application/json')
        .serialize(asIs)
        .send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])),
      'INVALID_JSON',
      /UTF-8/,
    );
  });

  it('413 for a body over server.body_limit_bytes, with or without Content-Length', async () => {
    const f = receiverFixture(fleet({ server: { body_limit_bytes: 4096 } }));
    const huge = JSON.stringify(payload([alert({ labels: { padding: 'x'.repeat(10_000) } })]));
    await expectRejected(
      f,
      await post(f).set('content-type', 'application/json').send(huge),
      'BODY_TOO_LARGE',
      /4096/,
    );
    // Chunked (no Content-Length): the limit is counted while reading.
    const chunked = post(f)
      .set('content-type', 'application/json')
      .set('transfer-encoding', 'chunked');
    for (let i = 0; i < 10; i++) chunked.write('x'.repeat(1000));
    await expectRejected(f, await chunked, 'BODY_TOO_LARGE');
    // A gzip bomb is counted after inflating.
    const bomb = gzipSync(Buffer.from(huge));
    expect(bomb.length).toBeLessThan(4096);
    await expectRejected(
      f,
      await post(f)
        .set('content-type', 'application/json')
        .set('content-encoding', 'gzip')
        .serialize(asIs)
        .send(bomb),
      'BODY_TOO_LARGE',
    );
    expect(f.events('webhook_rejected')).toHaveLength(3);
  });

  it('400 body_unreadable for a Content-Encoding it cannot decode', async () => {
    const f = receiverFixture(fleet());
    await expectRejected(
      f,
      await post(f)
        .set('content-type', 'application/json')
        .set('content-encoding', 'compress')
        .send(valid()),
      'BODY_UNREADABLE',
      /Content-Encoding/,
    );
  });

  it('400 unsupported_version for a version 3 payload and one without a version', async () => {
    const f = receiverFixture(fleet());
    await expectRejected(
      f,
      await post(f)
        .set('content-type', 'application/json')
        .send(payload([alert()], { version: '3' })),
      'UNSUPPORTED_VERSION',
      /got version "3"/,
    );
    const { version: _drop, ...noVersion } = payload([alert()]);
    await expectRejected(
      f,
      await post(f).set('content-type', 'application/json').send(noVersion),
      'UNSUPPORTED_VERSION',
      /no "version"/,
    );
    await expectRejected(
      f,
      await post(f)
        .set('content-type', 'application/json')
        .send(payload([alert()], { version: 4 })),
      'UNSUPPORTED_VERSION',
    );
  });

  it('400 missing_alerts when alerts is absent, empty or not a list', async () => {
    const f = receiverFixture(fleet());
    const { alerts: _drop, ...noAlerts } = payload([alert()]);
    await expectRejected(
      f,
      await post(f).set('content-type', 'application/json').send(noAlerts),
      'MISSING_ALERTS',
      /no "alerts"/,
    );
    await expectRejected(
      f,
      await post(f).set('content-type', 'application/json').send(payload([])),
      'MISSING_ALERTS',
      /empty/,
    );
    await expectRejected(
      f,
      await post(f)
        .set('content-type', 'application/json')
        .send(payload([], { alerts: { a: 1 } })),
      'MISSING_ALERTS',
      /not a list/,
    );
  });

  it('400 invalid_payload names the first bad fields, and one bad alert rejects the whole payload', async () => {
    const f = receiverFixture(fleet());
    const send = (body: unknown) =>
      post(f).set('content-type', 'application/json').send(JSON.stringify(body));
    await expectRejected(f, await send([payload([alert()])]), 'INVALID_PAYLOAD', /JSON object/);
    await expectRejected(
      f,
      await send(payload([alert(), { ...alert(), fingerprint: '../../etc/passwd' }])),
      'INVALID_PAYLOAD',
      /alerts\[1\]\.fingerprint/,
    );
    await expectRejected(
      f,
      await send(payload([{ ...alert(), status: 'pending' }])),
      'INVALID_PAYLOAD',
      /alerts\[0\]\.status/,
    );
    await expectRejected(
      f,
      await send(payload([{ ...alert(), startsAt: 'yesterday' }])),
      'INVALID_PAYLOAD',
      /alerts\[0\]\.startsAt: must be an RFC 3339 time/,
    );
    await expectRejected(
      f,
      await send(payload([{ ...alert(), labels: { alertname: 1 } }])),
      'INVALID_PAYLOAD',
      /alerts\[0\]\.labels\.alertname/,
    );
    await expectRejected(
      f,
      await send(payload([alert()], { groupKey: undefined })),
      'INVALID_PAYLOAD',
      /groupKey/,
    );
  });

  it('never echoes the body: JSON errors say where, not what; a 300,000-character label key gives a short path', async () => {
    const f = receiverFixture(fleet());
    const secret = 'SECRET-BODY-TEXT-7f3a';
    const broken = await post(f)
      .set('content-type', 'application/json')
      .send(`{"version": "4", "alerts": [${secret}]}`);
    await expectRejected(f, broken, 'INVALID_JSON', /syntax error/);
    const version = await post(f)
      .set('content-type', 'application/json')
      .send(payload([alert()], { version: secret }));
    await expectRejected(f, version, 'UNSUPPORTED_VERSION', /"version" is another string/);
    const hugeKey = 'k'.repeat(300_000);
    const huge = await post(f)
      .set('content-type', 'application/json')
      .send(JSON.stringify(payload([alert({ labels: { [hugeKey]: 1 as unknown as string } })])));
    await expectRejected(f, huge, 'INVALID_PAYLOAD', /alerts\[0\]\.labels\.k{40}…/);
    for (const r of [broken, version, huge]) expect(r.text).not.toContain(secret);
    expect(JSON.stringify(f.events())).not.toContain(secret);
  });

  it('counts every rejection but records one per reason and minute, with the number left out', async () => {
    const f = receiverFixture(fleet());
    const clock = f.service.clock as FakeClock;
    for (let i = 0; i < 5; i++)
      expect(
        (await request(f.app).post(PATH).set('content-type', 'application/json').send(valid()))
          .status,
      ).toBe(401);
    await post(f).set('content-type', 'text/plain').send('x');
    expect(f.events('webhook_rejected').map((e) => [e.reason, e.suppressed])).toEqual([
      ['missing_credentials', 0],
      ['wrong_content_type', 0],
    ]);
    expect(
      await metricValue(f.service, 'laneguard_webhook_rejections_total', {
        reason: 'missing_credentials',
      }),
    ).toBe(5);
    expect(
      await metricValue(f.service, 'laneguard_history_events_suppressed_total', {
        type: 'webhook_rejected',
      }),
    ).toBe(4);
    clock.advance(59_000);
    await request(f.app).post(PATH).send(valid());
    expect(f.events('webhook_rejected')).toHaveLength(2);
    clock.advance(2_000);
    await request(f.app).post(PATH).send(valid());
    expect(f.events('webhook_rejected').at(-1)).toMatchObject({
      reason: 'missing_credentials',
      suppressed: 5,
    });
    expect(
      await metricValue(f.service, 'laneguard_webhook_rejections_total', {
        reason: 'missing_credentials',
      }),
    ).toBe(7);
  });

  it('405 for other methods on the webhook path', async () => {
    const f = receiverFixture(fleet());
    const res = await request(f.app).get(PATH).set('authorization', BEARER);
    expect(res.headers.allow).toBe('POST');
    await expectRejected(f, res, 'METHOD_NOT_ALLOWED');
  });
});

describe('webhook: the error catalogue', () => {
  it('has unique codes and reasons, 4xx statuses and a message that says what to do', () => {
    const entries = Object.values(WEBHOOK_ERRORS);
    expect(new Set(entries.map((e) => e.code)).size).toBe(entries.length);
    expect(new Set(entries.map((e) => e.reason)).size).toBe(entries.length);
    for (const e of entries) {
      expect(e.code).toMatch(/^WEBHOOK_[A-Z_]+$/);
      expect(e.status).toBeGreaterThanOrEqual(400);
      expect(e.status).toBeLessThan(500);
      expect(e.message.length).toBeGreaterThan(20);
    }
  });
});
