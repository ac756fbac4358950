// The version 4 payload: what Alertmanager sends is accepted, everything else names its problem.
import { describe, expect, it } from 'vitest';
import { checkContentType, parsePayload } from '../../src/receiver/payload.js';

// As Alertmanager 0.25 sends it (trimmed from a real delivery).
const REAL = `{"receiver":"laneguard","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"LaneguardLanesStarved","instance":"127.0.0.1:9477","job":"laneguard","lane":"lane-a","laneguard_action":"recover_lane","severity":"warning"},"annotations":{"runbook_url":"http://127.0.0.1:9477/runbooks/LaneguardLanesStarved","summary":"Lane lane-a on 127.0.0.1:9477 is starved"},"startsAt":"2026-01-05T10:11:12.345678901Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph?g0.expr=laneguard_lane_starved","fingerprint":"3c5d1f0b8a9e7d24"}],"groupLabels":{"alertname":"LaneguardLanesStarved","lane":"lane-a"},"commonLabels":{"alertname":"LaneguardLanesStarved"},"commonAnnotations":{},"externalURL":"http://alertmanager:9093","version":"4","groupKey":"{}/{laneguard_action=~\\"recover|recover_lane|ensure\\"}:{alertname=\\"LaneguardLanesStarved\\", lane=\\"lane-a\\"}","truncatedAlerts":0}`;

describe('parsePayload', () => {
  it('accepts a real Alertmanager 0.25 delivery, nanosecond times included', () => {
    const result = parsePayload(Buffer.from(REAL));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.payload.alerts[0]).toMatchObject({
      fingerprint: '3c5d1f0b8a9e7d24',
      startsAt: '2026-01-05T10:11:12.345678901Z',
      labels: { lane: 'lane-a' },
    });
  });

  it('accepts fields a later Alertmanager may add, and a UTF-8 byte order mark', () => {
    const withExtra = JSON.stringify({ ...JSON.parse(REAL), newField: { x: 1 } });
    expect(parsePayload(`\uFEFF${withExtra}`).ok).toBe(true);
  });

  it.each([
    ['null', 'INVALID_PAYLOAD', /JSON object/],
    ['"4"', 'INVALID_PAYLOAD', /JSON object/],
    ['{"version":"3","alerts":[]}', 'UNSUPPORTED_VERSION', /got version "3"/],
    ['{"version":"4"}', 'MISSING_ALERTS', /no "alerts"/],
    ['{"version":"4","alerts":[]}', 'MISSING_ALERTS', /empty/],
    ['{"version":"4","alerts":{}}', 'MISSING_ALERTS', /not a list/],
    ['{"version":"4","alerts":[{}]}', 'INVALID_PAYLOAD', /groupKey|status|receiver|alerts\[0\]/],
    ['{"version":"4"', 'INVALID_JSON', /JSON/],
  ])('%s → %s', (body, code, message) => {
    const result = parsePayload(body);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.rejection.name).toBe(code);
    expect(result.rejection.message).toMatch(message);
  });

  it('lists at most three problems, and never echoes the body', () => {
    const bad = {
      ...JSON.parse(REAL),
      alerts: Array.from({ length: 5 }, () => ({
        status: 'boom',
        labels: {},
        startsAt: 'x',
        fingerprint: 'SECRET VALUE',
      })),
    };
    const result = parsePayload(JSON.stringify(bad));
    if (result.ok) throw new Error('accepted');
    expect(result.rejection.message).toMatch(/and \d+ more/);
    expect(result.rejection.message).not.toContain('SECRET VALUE');
  });
});

describe('checkContentType', () => {
  it.each([
    ['application/json', null],
    ['application/json; charset=utf-8', null],
    ['Application/JSON; Charset=UTF-8', null],
    ['application/json; charset=iso-8859-1', 'WRONG_CONTENT_TYPE'],
    ['text/plain', 'WRONG_CONTENT_TYPE'],
    ['application/jsonx', 'WRONG_CONTENT_TYPE'],
    [undefined, 'WRONG_CONTENT_TYPE'],
  ])('%s → %s', (header, want) => {
    expect(checkContentType(header)?.name ?? null).toBe(want);
  });
});
