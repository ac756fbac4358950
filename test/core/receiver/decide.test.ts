// The receiver's pure core: matching, gates in order, dedupe against the ledger, the work asked for.
import { describe, expect, it } from 'vitest';
import {
  cycleRequestFor,
  decideAlerts,
  needsKnownLanes,
  type ReceiverContext,
} from '../../../src/core/receiver/decide.js';
import {
  ledgerKey,
  pruneLedger,
  withinWindow,
  type LedgerEntry,
} from '../../../src/core/receiver/ledger-rules.js';
import { matchAction, sameInstance, type WebhookRoute } from '../../../src/core/receiver/match.js';
import type { WebhookAlert } from '../../../src/receiver/payload.js';

const NOW = new Date('2026-05-01T12:00:00.000Z');

function a(labels: Record<string, string>, over: Partial<WebhookAlert> = {}): WebhookAlert {
  return {
    status: 'firing',
    labels: { alertname: 'A', ...labels },
    startsAt: '2026-05-01T11:00:00Z',
    fingerprint: 'f0',
    ...over,
  };
}

function ctx(over: Partial<ReceiverContext> = {}): ReceiverContext {
  return {
    mode: 'hybrid',
    routes: [],
    dedupeWindowSec: 300,
    knownLanes: new Set(['lane-a', 'lane-b']),
    ledger: {},
    now: NOW,
    ...over,
  };
}

const entry = (fingerprint: string, startsAt: string, actedAt: string): LedgerEntry => ({
  fingerprint,
  starts_at: startsAt,
  alertname: 'A',
  acted_at: actedAt,
});

describe('decideAlerts: one decision per alert', () => {
  const cases: Array<
    [
      string,
      WebhookAlert,
      Partial<ReceiverContext>,
      { action: string | null; outcome: string; reason: string | null },
    ]
  > = [
    [
      'recover acts',
      a({ laneguard_action: 'recover' }),
      {},
      { action: 'recover', outcome: 'acted', reason: null },
    ],
    [
      'recover_lane on a known lane acts',
      a({ laneguard_action: 'recover_lane', lane: 'lane-a' }),
      {},
      { action: 'recover_lane', outcome: 'acted', reason: null },
    ],
    [
      'ensure acts',
      a({ laneguard_action: 'ensure' }),
      {},
      { action: 'ensure', outcome: 'acted', reason: null },
    ],
    [
      'restart_lane on a known lane acts',
      a({ laneguard_action: 'restart_lane', lane: 'lane-a' }),
      {},
      { action: 'restart_lane', outcome: 'acted', reason: null },
    ],
    [
      'restart_lane without lane',
      a({ laneguard_action: 'restart_lane' }),
      {},
      { action: 'restart_lane', outcome: 'ignored', reason: 'missing_lane' },
    ],
    [
      'restart_lane with ../',
      a({ laneguard_action: 'restart_lane', lane: '../lane-a' }),
      {},
      { action: 'restart_lane', outcome: 'ignored', reason: 'invalid_lane' },
    ],
    [
      'restart_lane on an unknown lane',
      a({ laneguard_action: 'restart_lane', lane: 'lane-z' }),
      {},
      { action: 'restart_lane', outcome: 'ignored', reason: 'unknown_lane' },
    ],
    [
      'restart_lane in autonomous mode',
      a({ laneguard_action: 'restart_lane', lane: 'lane-a' }),
      { mode: 'autonomous' },
      { action: 'restart_lane', outcome: 'ignored', reason: 'mode_autonomous' },
    ],
    [
      'none is ignored',
      a({ laneguard_action: 'none' }),
      {},
      { action: 'none', outcome: 'ignored', reason: 'action_none' },
    ],
    [
      'an unknown action is ignored',
      a({ laneguard_action: 'restart-host' }),
      {},
      { action: null, outcome: 'ignored', reason: 'unknown_action' },
    ],
    [
      'no label and no route: ignored',
      a({}),
      {},
      { action: null, outcome: 'ignored', reason: 'no_action' },
    ],
    [
      'resolved is recorded only',
      a({ laneguard_action: 'recover' }, { status: 'resolved' }),
      {},
      { action: 'recover', outcome: 'resolved', reason: 'resolved' },
    ],
    [
      'a resolved alert with an unknown action is still resolved',
      a({ laneguard_action: 'x' }, { status: 'resolved' }),
      {},
      { action: null, outcome: 'resolved', reason: 'resolved' },
    ],
    [
      'recover_lane without lane',
      a({ laneguard_action: 'recover_lane' }),
      {},
      { action: 'recover_lane', outcome: 'ignored', reason: 'missing_lane' },
    ],
    [
      'recover_lane with ../',
      a({ laneguard_action: 'recover_lane', lane: '../lane-a' }),
      {},
      { action: 'recover_lane', outcome: 'ignored', reason: 'invalid_lane' },
    ],
    [
      'recover_lane with shell characters',
      a({ laneguard_action: 'recover_lane', lane: 'lane-a;reboot' }),
      {},
      { action: 'recover_lane', outcome: 'ignored', reason: 'invalid_lane' },
    ],
    [
      'recover_lane on an unknown lane',
      a({ laneguard_action: 'recover_lane', lane: 'lane-z' }),
      {},
      { action: 'recover_lane', outcome: 'ignored', reason: 'unknown_lane' },
    ],
    [
      'autonomous mode never acts',
      a({ laneguard_action: 'recover' }),
      { mode: 'autonomous' },
      { action: 'recover', outcome: 'ignored', reason: 'mode_autonomous' },
    ],
    [
      'alert mode acts',
      a({ laneguard_action: 'recover' }),
      { mode: 'alert' },
      { action: 'recover', outcome: 'acted', reason: null },
    ],
    [
      'another instance is ignored',
      a({ laneguard_action: 'recover', instance: 'other:9477' }),
      { instance: 'me' },
      { action: 'recover', outcome: 'ignored', reason: 'other_instance' },
    ],
    [
      'another instance is ignored even when resolved',
      a({ laneguard_action: 'recover', instance: 'other:9477' }, { status: 'resolved' }),
      { instance: 'me' },
      { action: 'recover', outcome: 'ignored', reason: 'other_instance' },
    ],
    [
      'this instance acts',
      a({ laneguard_action: 'recover', instance: 'me:9477' }),
      { instance: 'me' },
      { action: 'recover', outcome: 'acted', reason: null },
    ],
    [
      'no instance check when unset',
      a({ laneguard_action: 'recover', instance: 'other:9477' }),
      {},
      { action: 'recover', outcome: 'acted', reason: null },
    ],
    [
      'acted 299 s ago: deduplicated',
      a({ laneguard_action: 'recover' }),
      {
        ledger: {
          [ledgerKey('f0', '2026-05-01T11:00:00Z')]: entry(
            'f0',
            '2026-05-01T11:00:00Z',
            '2026-05-01T11:55:01.000Z',
          ),
        },
      },
      { action: 'recover', outcome: 'deduplicated', reason: 'duplicate' },
    ],
    [
      'acted 300 s ago: acts again',
      a({ laneguard_action: 'recover' }),
      {
        ledger: {
          [ledgerKey('f0', '2026-05-01T11:00:00Z')]: entry(
            'f0',
            '2026-05-01T11:00:00Z',
            '2026-05-01T11:55:00.000Z',
          ),
        },
      },
      { action: 'recover', outcome: 'acted', reason: null },
    ],
    [
      'same fingerprint, other startsAt: acts',
      a({ laneguard_action: 'recover' }),
      {
        ledger: {
          [ledgerKey('f0', '2026-05-01T10:00:00Z')]: entry(
            'f0',
            '2026-05-01T10:00:00Z',
            '2026-05-01T11:59:00.000Z',
          ),
        },
      },
      { action: 'recover', outcome: 'acted', reason: null },
    ],
  ];

  it.each(cases)('%s', (_name, alert, over, want) => {
    const result = decideAlerts([alert], ctx(over));
    expect(result.alerts[0]).toMatchObject(want);
    expect(Object.keys(result.record)).toHaveLength(want.outcome === 'acted' ? 1 : 0);
  });

  it('a key repeated inside one payload acts once', () => {
    const result = decideAlerts(
      [a({ laneguard_action: 'recover' }), a({ laneguard_action: 'recover' })],
      ctx(),
    );
    expect(result.alerts.map((d) => d.outcome)).toEqual(['acted', 'deduplicated']);
    expect(result.counts).toEqual({ accepted: 1, deduplicated: 1, ignored: 0, resolved: 0 });
  });

  it('records acted keys with the time they were acted on; the input ledger is not modified', () => {
    const ledger = Object.freeze({});
    const result = decideAlerts(
      [a({ laneguard_action: 'recover' }, { fingerprint: 'abc' })],
      ctx({ ledger }),
    );
    expect(result.record).toEqual({
      'abc@2026-05-01T11:00:00Z': {
        fingerprint: 'abc',
        starts_at: '2026-05-01T11:00:00Z',
        alertname: 'A',
        acted_at: '2026-05-01T12:00:00.000Z',
      },
    });
  });

  it('keeps an invalid lane out of the decision, a valid one in', () => {
    const [bad, good] = decideAlerts(
      [
        a({ laneguard_action: 'recover_lane', lane: '$(id)' }),
        a({ laneguard_action: 'recover_lane', lane: 'lane-b' }, { fingerprint: 'f1' }),
      ],
      ctx(),
    ).alerts;
    expect(bad?.lane).toBeNull();
    expect(good?.lane).toBe('lane-b');
  });

  it('collects the work: recover, distinct sorted lanes, ensure — acted alerts only', () => {
    const result = decideAlerts(
      [
        a({ laneguard_action: 'recover_lane', lane: 'lane-b' }, { fingerprint: '1' }),
        a({ laneguard_action: 'recover_lane', lane: 'lane-a' }, { fingerprint: '2' }),
        a({ laneguard_action: 'recover_lane', lane: 'lane-a' }, { fingerprint: '3' }),
        a({ laneguard_action: 'ensure' }, { fingerprint: '4', status: 'resolved' }),
      ],
      ctx(),
    );
    expect(result.work).toEqual({
      recover: false,
      lanes: ['lane-a', 'lane-b'],
      restartLanes: [],
      ensure: false,
    });
  });

  it('collects restart_lane lanes apart from recover_lane lanes', () => {
    const result = decideAlerts(
      [
        a({ laneguard_action: 'restart_lane', lane: 'lane-b' }, { fingerprint: '1' }),
        a({ laneguard_action: 'recover_lane', lane: 'lane-a' }, { fingerprint: '2' }),
        a({ laneguard_action: 'restart_lane', lane: 'lane-b' }, { fingerprint: '3' }),
      ],
      ctx(),
    );
    expect(result.work).toEqual({
      recover: false,
      lanes: ['lane-a'],
      restartLanes: ['lane-b'],
      ensure: false,
    });
    expect(needsKnownLanes([a({ laneguard_action: 'restart_lane', lane: 'lane-b' })], [])).toBe(
      true,
    );
  });
});

describe('cycleRequestFor: one cycle per payload', () => {
  it.each([
    [
      { recover: true, lanes: ['lane-a'], restartLanes: [], ensure: false },
      { trigger: 'alert', onlyLanes: null, restartLanes: [] },
    ],
    [
      { recover: false, lanes: ['lane-a'], restartLanes: [], ensure: false },
      { trigger: 'alert', onlyLanes: ['lane-a'], restartLanes: [] },
    ],
    [
      { recover: false, lanes: ['lane-a', 'lane-b'], restartLanes: [], ensure: true },
      { trigger: 'alert', onlyLanes: ['lane-a', 'lane-b'], restartLanes: [] },
    ],
    [{ recover: false, lanes: [], restartLanes: [], ensure: true }, null],
    // restart_lane: the cycle is limited to the stalled lane and may restart it.
    [
      { recover: false, lanes: [], restartLanes: ['lane-s'], ensure: false },
      { trigger: 'alert', onlyLanes: ['lane-s'], restartLanes: ['lane-s'] },
    ],
    [
      { recover: false, lanes: ['lane-a'], restartLanes: ['lane-s'], ensure: false },
      { trigger: 'alert', onlyLanes: ['lane-a', 'lane-s'], restartLanes: ['lane-s'] },
    ],
    [
      { recover: true, lanes: [], restartLanes: ['lane-s'], ensure: false },
      { trigger: 'alert', onlyLanes: null, restartLanes: ['lane-s'] },
    ],
  ])('%j → %j', (work, want) => {
    expect(cycleRequestFor(work)).toEqual(want);
  });
});

describe('matchAction', () => {
  const routes: WebhookRoute[] = [
    { match: { alertname: 'X', severity: 'critical' }, action: 'recover' },
    { match: { alertname: 'X' }, action: 'ensure' },
    { match: {}, action: 'none' },
  ];
  it('every match label must be equal; the first matching route wins; {} matches all', () => {
    expect(matchAction({ alertname: 'X', severity: 'critical' }, routes)).toEqual({
      action: 'recover',
      source: 'route',
      route: 0,
    });
    expect(matchAction({ alertname: 'X', severity: 'warning' }, routes)).toEqual({
      action: 'ensure',
      source: 'route',
      route: 1,
    });
    expect(matchAction({ alertname: 'Y' }, routes)).toEqual({
      action: 'none',
      source: 'route',
      route: 2,
    });
    expect(matchAction({ alertname: 'Y' }, routes.slice(0, 2))).toEqual({
      action: null,
      reason: 'no_action',
    });
  });
  it('the label wins, and an unknown label value never falls through to the routes', () => {
    expect(
      matchAction({ alertname: 'X', severity: 'critical', laneguard_action: 'ensure' }, routes),
    ).toMatchObject({ action: 'ensure', source: 'label' });
    expect(
      matchAction({ alertname: 'X', severity: 'critical', laneguard_action: 'rm' }, routes),
    ).toEqual({ action: null, reason: 'unknown_action' });
    expect(matchAction({ laneguard_action: '' }, routes)).toEqual({
      action: null,
      reason: 'unknown_action',
    });
  });
});

describe('needsKnownLanes', () => {
  it('only for a firing recover_lane alert with a valid lane id', () => {
    expect(needsKnownLanes([a({ laneguard_action: 'recover_lane', lane: 'lane-a' })], [])).toBe(
      true,
    );
    expect(needsKnownLanes([a({ laneguard_action: 'recover_lane', lane: '../x' })], [])).toBe(
      false,
    );
    expect(
      needsKnownLanes(
        [a({ laneguard_action: 'recover_lane', lane: 'lane-a' }, { status: 'resolved' })],
        [],
      ),
    ).toBe(false);
    expect(needsKnownLanes([a({ laneguard_action: 'recover' })], [])).toBe(false);
    expect(needsKnownLanes([a({ lane: 'lane-a' })], [{ match: {}, action: 'recover_lane' }])).toBe(
      true,
    );
  });
});

describe('sameInstance', () => {
  it.each([
    ['host:9477', 'host', true],
    ['HOST:9477', 'host', true],
    ['host2:9477', 'host', false],
    ['host', 'host', true],
    ['host:9477', 'host:9477', true],
    ['host:9478', 'host:9477', false],
    ['host', 'host:9477', false],
    ['[::1]:9477', '::1', true],
    ['[::1]:9477', '[::1]:9477', true],
    ['127.0.0.1:9477', '127.0.0.1', true],
    ['127.0.0.10:9477', '127.0.0.1', false],
  ])('%s vs configured %s → %s', (label, configured, want) => {
    expect(sameInstance(label, configured)).toBe(want);
  });
});

describe('ledger rules', () => {
  it('window: acted less than windowSec ago', () => {
    expect(withinWindow(entry('f', 's', '2026-05-01T11:55:00.001Z'), NOW, 300)).toBe(true);
    expect(withinWindow(entry('f', 's', '2026-05-01T11:55:00.000Z'), NOW, 300)).toBe(false);
    expect(withinWindow(entry('f', 's', 'garbage'), NOW, 300)).toBe(false);
    expect(withinWindow(undefined, NOW, 300)).toBe(false);
  });
  it('prune drops expired entries and keeps the newest under the cap', () => {
    const entries = {
      old: entry('1', 's', '2026-05-01T11:00:00.000Z'),
      a: entry('2', 's', '2026-05-01T11:59:00.000Z'),
      b: entry('3', 's', '2026-05-01T11:58:00.000Z'),
      c: entry('4', 's', '2026-05-01T11:59:30.000Z'),
    };
    expect(Object.keys(pruneLedger(entries, NOW, 300))).toEqual(['c', 'a', 'b']);
    expect(Object.keys(pruneLedger(entries, NOW, 300, 2))).toEqual(['c', 'a']);
  });
});
