// Stall detection and the restart gates: pure, with a fake clock.
import { describe, expect, it } from 'vitest';
import { emptyWork, type LaneProgress } from '../../../src/domain/types.js';
import { observe } from '../../../src/core/guard/observe.js';
import { decide } from '../../../src/core/guard/policy.js';
import {
  markRestarted,
  observeStalls,
  workSignature,
  type StallInfo,
} from '../../../src/core/guard/stall.js';
import { at, endpoint, guardConfig, lane, NOW, pause, state } from '../../helpers/builders.js';

const cfg = guardConfig({ stalled_after_sec: 900 });
const later = (sec: number): Date => new Date(NOW.getTime() + sec * 1000);
const hung = (id: string, heartbeatAgeSec: number, over = {}) =>
  lane(id, { running: true, pid: 4242, heartbeatAgeSec, ...over });
const seen = (
  id: string,
  changedAt: string,
  over: Partial<LaneProgress> = {},
): Record<string, LaneProgress> => ({
  [id]: {
    work: workSignature({ ...emptyWork(), pending: 1 }),
    changedAt,
    stalledSince: null,
    lastRestartAt: null,
    ...over,
  },
});

describe('observeStalls', () => {
  it('hands the memory back as it was over quiet lanes, and changes a copy, never the original', () => {
    const quiet = {
      ...seen('l1', at(-60)),
      ...seen('l2', at(-60)),
    };
    const lanes = [
      lane('l1', { work: { ...emptyWork(), pending: 1 } }),
      lane('l2', { work: { ...emptyWork(), pending: 1 } }),
    ];
    expect(observeStalls(quiet, lanes, NOW, cfg).progress).toBe(quiet);

    const frozen = Object.freeze({ ...quiet });
    const moved = [lanes[0]!, lane('l2', { work: { ...emptyWork(), done: 1 } })];
    const r = observeStalls(frozen, moved, NOW, cfg);
    expect(r.progress).not.toBe(frozen);
    expect(r.progress.l1).toBe(frozen.l1);
    expect(r.progress.l2).toMatchObject({ work: '0/0/0/1/0', changedAt: NOW.toISOString() });
    expect(frozen.l2!.work).toBe('1/0/0/0/0');
  });

  it('first sight of a lane is never a stall: its work counts it as changed now', () => {
    const r = observeStalls({}, [hung('l1', 5000)], NOW, cfg);
    expect(r.stalled).toEqual([]);
    expect(r.progress.l1).toEqual({
      work: '1/0/0/0/0',
      changedAt: NOW.toISOString(),
      stalledSince: null,
      lastRestartAt: null,
    });
  });

  it('stale heartbeat and work unchanged for stalled_after_sec: stalled, newly, for the shorter of both', () => {
    const r = observeStalls(seen('l1', at(-1000)), [hung('l1', 950)], NOW, cfg);
    expect(r.stalled).toEqual([
      { lane: 'l1', pid: 4242, heartbeatAgeSec: 950, stalledSec: 950, newly: true, repeat: false },
    ]);
    expect(r.progress.l1!.stalledSince).toBe(NOW.toISOString());
    // The next cycle: still stalled, not newly (one lane_stalled event per stall).
    const again = observeStalls(r.progress, [hung('l1', 980)], later(30), cfg);
    expect(again.stalled.map((s) => [s.lane, s.newly, s.stalledSec])).toEqual([['l1', false, 980]]);
  });

  it.each([
    ['heartbeat fresh (slow but alive)', hung('l1', 10), at(-5000)],
    ['heartbeat one second short of the threshold', hung('l1', 899), at(-5000)],
    ['work changed 899 s ago', hung('l1', 5000), at(-899)],
    ['no heartbeat file', hung('l1', 0, { heartbeatAgeSec: null }), at(-5000)],
    ['not running', lane('l1', { heartbeatAgeSec: 5000 }), at(-5000)],
  ])('%s: not stalled', (_name, snapshot, changedAt) => {
    expect(observeStalls(seen('l1', changedAt), [snapshot], NOW, cfg).stalled).toEqual([]);
  });

  it('the threshold itself is a stall (heartbeat and work both exactly stalled_after_sec old)', () => {
    expect(observeStalls(seen('l1', at(-900)), [hung('l1', 900)], NOW, cfg).stalled).toHaveLength(
      1,
    );
  });

  it('work that changes restarts the count; a stall ends when the lane moves again', () => {
    const stalledBefore = seen('l1', at(-5000), { stalledSince: at(-100) });
    const moved = observeStalls(
      stalledBefore,
      [hung('l1', 5000, { work: { ...emptyWork(), pending: 0, done: 1 } })],
      NOW,
      cfg,
    );
    expect(moved.stalled).toEqual([]);
    expect(moved.progress.l1).toMatchObject({
      work: '0/0/0/1/0',
      changedAt: NOW.toISOString(),
      stalledSince: null,
    });
  });

  it('a stall soon after laneguard restarted the lane is a repeat; long after, a fresh one', () => {
    const soon = observeStalls(
      seen('l1', at(-5000), { lastRestartAt: at(-1000) }),
      [hung('l1', 950)],
      NOW,
      cfg,
    );
    expect(soon.stalled[0]).toMatchObject({ newly: true, repeat: true });
    const long = observeStalls(
      seen('l1', at(-5000), { lastRestartAt: at(-900 - 600) }),
      [hung('l1', 950)],
      NOW,
      cfg,
    );
    expect(long.stalled[0]).toMatchObject({ newly: true, repeat: false });
  });

  it('markRestarted ends the stall and remembers the restart', () => {
    const next = markRestarted(
      seen('l1', at(-5000), { stalledSince: at(-60) }),
      ['l1', 'gone'],
      NOW,
    );
    expect(next.l1).toMatchObject({ stalledSince: null, lastRestartAt: NOW.toISOString() });
    expect(next.gone).toBeUndefined();
  });
});

describe('observe: stalls in the guard state', () => {
  it('a repeat stall backs the lane off like a crash; a running stalled lane is not forgiven for running', () => {
    const stored = state({
      progress: seen('l1', at(-5000), { lastRestartAt: at(-1000) }),
      lanes: {
        l1: {
          failures: 1,
          start_failures: 0,
          backoff_until: null,
          last_start_at: at(-1000),
          awaiting_exit: true,
        },
      },
    });
    const o = observe(stored, { lanes: [hung('l1', 950)], errors: [] }, NOW, cfg);
    expect(o.state.lanes.l1!.failures).toBe(2);
    expect(Date.parse(o.state.lanes.l1!.backoff_until!)).toBe(NOW.getTime() + 20_000);
  });

  it('forgets progress of lanes no longer in the fleet', () => {
    const o = observe(
      state({ progress: { ...seen('l1', at(-10)), ...seen('gone', at(-10)) } }),
      { lanes: [hung('l1', 1)], errors: [] },
      NOW,
      cfg,
    );
    expect(Object.keys(o.state.progress)).toEqual(['l1']);
  });
});

describe('decide: which stalled lanes are restarted', () => {
  const stall = (id: string, stalledSec = 1000): StallInfo => ({
    lane: id,
    pid: 4242,
    heartbeatAgeSec: stalledSec,
    stalledSec,
    newly: true,
    repeat: false,
  });
  const plan = (
    over: {
      lanes?: ReturnType<typeof lane>[];
      stalls?: StallInfo[];
      config?: Record<string, unknown>;
      trigger?: 'schedule' | 'alert' | 'manual';
      restartLanes?: string[];
      healthy?: boolean;
      st?: ReturnType<typeof state>;
      onlyLanes?: string[];
    } = {},
  ) =>
    decide({
      lanes: over.lanes ?? [hung('l1', 1000)],
      endpoints: [endpoint('a', { healthy: over.healthy ?? true })],
      state: over.st ?? state(),
      config: guardConfig({ restart_stalled: true, ...over.config }),
      now: NOW,
      trigger: over.trigger ?? 'schedule',
      stalls: over.stalls ?? [stall('l1')],
      restartLanes: over.restartLanes ?? null,
      onlyLanes: over.onlyLanes ?? null,
    });
  const reason = (p: ReturnType<typeof plan>, id = 'l1') =>
    p.decisions.find((d) => d.id === id)!.reason;

  it('restarts a stalled lane with every gate open, and keeps it counted as running', () => {
    const p = plan();
    expect(p.restarts.map((d) => [d.id, d.verdict, d.stall])).toEqual([
      [
        'l1',
        'restart',
        { heartbeatAgeSec: 1000, stalledSec: 1000, pid: 4242, endpointServing: null },
      ],
    ]);
    expect(p.runningBefore).toBe(1);
    expect(p.starts).toEqual([]);
  });

  it.each([
    [
      'restart_stalled off (the default) on the schedule',
      { config: { restart_stalled: false } },
      'restart_not_enabled',
    ],
    [
      'restart_stalled off for a manual cycle',
      { config: { restart_stalled: false }, trigger: 'manual' as const },
      'restart_not_enabled',
    ],
    ['held', { lanes: [hung('l1', 1000, pause({ held: true }))] }, 'pause_held'],
    ['paused (manual, even stale)', { lanes: [hung('l1', 1000, pause())] }, 'manual_pause_active'],
    ['endpoint floor not met', { healthy: false }, 'endpoint_floor_not_met'],
    [
      'in backoff',
      {
        st: state({
          lanes: {
            l1: {
              failures: 1,
              start_failures: 0,
              backoff_until: at(30),
              last_start_at: null,
              awaiting_exit: false,
            },
          },
        }),
      },
      'backoff',
    ],
    [
      'circuit open',
      { st: state({ circuit: { failure_times: [], open_until: at(60) } }) },
      'circuit_open',
    ],
    ['mode alert: the schedule observes', { config: { mode: 'alert' } }, 'observe_only'],
    ['another lane targeted', { onlyLanes: ['l2'] }, 'not_targeted'],
  ])('%s: reported, not restarted', (_name, over, why) => {
    const p = plan(over);
    expect(p.restarts).toEqual([]);
    expect(reason(p)).toBe(why);
    expect(p.decisions[0]!.stall).not.toBeNull();
  });

  it('a restart_lane alert restarts its lane without restart_stalled, in mode alert; not another stalled lane', () => {
    const p = plan({
      lanes: [hung('l1', 1000), hung('l2', 1000)],
      stalls: [stall('l1'), stall('l2')],
      config: { restart_stalled: false, mode: 'alert' },
      trigger: 'alert',
      restartLanes: ['l1'],
    });
    expect(p.restarts.map((d) => d.id)).toEqual(['l1']);
    expect(reason(p, 'l2')).toBe('restart_not_enabled');
  });

  it("says whether the stalled lane's server is serving anything, where the server reports its load", () => {
    const withLoad = (load: ReturnType<typeof endpoint>['load']) =>
      decide({
        lanes: [hung('l1', 1000)],
        endpoints: [endpoint('a', { load })],
        state: state(),
        config: guardConfig(),
        now: NOW,
        trigger: 'schedule',
        stalls: [stall('l1')],
      }).decisions[0]!.stall!.endpointServing;
    expect(withLoad({ running: 0, waiting: 0, slots: null })).toBe(false);
    expect(withLoad({ running: 2, waiting: 0, slots: null })).toBe(true);
    expect(withLoad({ running: null, waiting: null, slots: { busy: 1, idle: 1 } })).toBe(true);
    expect(withLoad(null)).toBeNull();
  });

  it('at most max_auto_restarts_per_cycle, longest stalled first', () => {
    const p = plan({
      lanes: [hung('l1', 1000), hung('l2', 3000), hung('l3', 2000)],
      stalls: [stall('l1', 1000), stall('l2', 3000), stall('l3', 2000)],
      config: { max_auto_restarts_per_cycle: 2 },
    });
    expect(p.restarts.map((d) => d.id)).toEqual(['l2', 'l3']);
    expect(reason(p, 'l1')).toBe('restart_limit_reached');
    expect(plan({ config: { max_auto_restarts_per_cycle: 0 } }).restarts).toEqual([]);
  });
});
