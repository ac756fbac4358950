import { describe, expect, it } from 'vitest';
import type { Anomaly, GuardState } from '../../../src/domain/types.js';
import {
  backoffDelaySec,
  observeLanes,
  startFailing,
  updateCircuit,
} from '../../../src/core/guard/backoff.js';
import { conclude, escalationDue, type ActionTally } from '../../../src/core/guard/conclude.js';
import { decide, type Plan } from '../../../src/core/guard/policy.js';
import { at, endpoint, guardConfig, lane, NOW, pause, state } from '../../helpers/builders.js';

const cfg = guardConfig();
const noActions: ActionTally = {
  startedOk: [],
  startFailed: [],
  otherFailures: 0,
  readErrors: 0,
  ensureRan: false,
  escalated: false,
};

function planFor(opts: {
  running?: boolean;
  healthy?: boolean;
  pending?: number;
  floor?: number;
}): Plan {
  return decide({
    lanes: [lane('l1', { running: opts.running ?? false, pending: opts.pending ?? 1 })],
    endpoints: [endpoint('a', { healthy: opts.healthy ?? true })],
    state: state(),
    config: guardConfig({ minimum_healthy_endpoints: opts.floor ?? 1 }),
    now: NOW,
    trigger: 'schedule',
  });
}

function run(plan: Plan, before: GuardState, tally: Partial<ActionTally> = {}, dryRun = false) {
  return conclude(plan, { ...noActions, ...tally }, before, NOW, cfg, { cycleId: 'c1', dryRun });
}

describe('idle and outage counters', () => {
  it('an idle cycle with the floor met counts +1', () => {
    const c = run(planFor({}), state({ consecutive_idle_cycles: 2 }));
    expect(c.idle).toBe(true);
    expect(c.idleWhileDemand).toBe(true);
    expect(c.state.consecutive_idle_cycles).toBe(3);
    expect(c.state.idle_cycles_total).toBe(1);
    expect(c.state.endpoint_floor_unmet_cycles).toBe(0);
  });

  it('an outage holds the idle counter (neither +1 nor reset) and counts floor-unmet cycles', () => {
    const c = run(
      planFor({ healthy: false }),
      state({ consecutive_idle_cycles: 5, endpoint_floor_unmet_cycles: 2 }),
    );
    expect(c.idle).toBe(false);
    expect(c.state.consecutive_idle_cycles).toBe(5);
    expect(c.state.endpoint_floor_unmet_cycles).toBe(3);
  });

  it('the floor met again resets the floor-unmet counter but not the idle streak', () => {
    const c = run(
      planFor({}),
      state({ consecutive_idle_cycles: 5, endpoint_floor_unmet_cycles: 3 }),
    );
    expect(c.state.endpoint_floor_unmet_cycles).toBe(0);
    expect(c.state.consecutive_idle_cycles).toBe(6);
  });

  it('only a running local lane resets the idle counter', () => {
    expect(
      run(planFor({ running: true }), state({ consecutive_idle_cycles: 9 })).state
        .consecutive_idle_cycles,
    ).toBe(0);
    expect(
      run(planFor({}), state({ consecutive_idle_cycles: 9 }), { startedOk: ['l1'] }).state
        .consecutive_idle_cycles,
    ).toBe(0);
    // A failed start leaves the fleet idle.
    expect(
      run(planFor({}), state({ consecutive_idle_cycles: 9 }), { startFailed: ['l1'] }).state
        .consecutive_idle_cycles,
    ).toBe(10);
  });

  it('a running lane resets the counter even during an outage', () => {
    expect(
      run(planFor({ running: true, healthy: false }), state({ consecutive_idle_cycles: 4 })).state
        .consecutive_idle_cycles,
    ).toBe(0);
  });

  it('idle without work is idle but not idle-while-demand', () => {
    const c = run(planFor({ pending: 0 }), state());
    expect(c.idle).toBe(true);
    expect(c.idleWhileDemand).toBe(false);
  });

  it('work of a held lane is not demand; work of any lane that is not held is', () => {
    const plan = (lanes: ReturnType<typeof lane>[]) =>
      decide({
        lanes,
        endpoints: [endpoint('a')],
        state: state(),
        config: cfg,
        now: NOW,
        trigger: 'schedule',
      });
    const onlyHeld = run(
      plan([lane('h', { pending: 3, ...pause({ held: true, stale: false }) })]),
      state(),
    );
    expect(onlyHeld.idle).toBe(true);
    expect(onlyHeld.idleWhileDemand).toBe(false);
    const freshPause = run(
      plan([
        lane('h', { pending: 3, ...pause({ held: true, stale: false }) }),
        lane('p', { pending: 1, ...pause({ stale: false, ageSec: 5 }) }),
      ]),
      state(),
    );
    expect(freshPause.idleWhileDemand).toBe(true);
  });
});

describe('anomalies raise and clear as transitions', () => {
  const anomalies = (c: { anomalies: Anomaly[] }): Anomaly[] => c.anomalies;

  it('idle with healthy endpoints, then persistent at the threshold', () => {
    const first = run(planFor({}), state({ consecutive_idle_cycles: 4 }));
    expect(anomalies(first)).toEqual(['idle_while_endpoints_healthy']);
    expect(first.raised).toEqual(['idle_while_endpoints_healthy']);
    const second = run(planFor({}), first.state);
    expect(second.state.consecutive_idle_cycles).toBe(6);
    expect(second.raised).toEqual(['persistent_idle_condition']);
    expect(anomalies(second)).toEqual([
      'idle_while_endpoints_healthy',
      'persistent_idle_condition',
    ]);
    const recovered = run(planFor({ running: true }), second.state);
    expect(recovered.anomalies).toEqual([]);
    expect(recovered.cleared).toEqual([
      'idle_while_endpoints_healthy',
      'persistent_idle_condition',
    ]);
  });

  it('floor not met raises endpoint_floor_not_met and not idle', () => {
    const c = run(planFor({ healthy: false }), state());
    expect(c.anomalies).toEqual(['endpoint_floor_not_met']);
  });

  it('failed actions and unreadable lanes raise self_healing_errors', () => {
    expect(run(planFor({}), state(), { otherFailures: 1 }).anomalies).toContain(
      'self_healing_errors',
    );
    expect(run(planFor({}), state(), { readErrors: 1 }).anomalies).toContain('self_healing_errors');
  });

  it('three failed start commands in a row raise start_failing (not lane_crash_loop), naming the lane; a long run forgives it', () => {
    let s = state();
    for (let i = 0; i < 3; i++)
      s = run(planFor({}), s, { startFailed: ['l1'], startCommandFailed: ['l1'] }).state;
    expect(s.lanes.l1).toMatchObject({ failures: 3, start_failures: 3 });
    expect(s.active_anomalies).toContain('start_failing');
    expect(s.active_anomalies).not.toContain('lane_crash_loop');
    expect(startFailing(s)).toEqual(['l1']);
    const started = conclude(planFor({}), { ...noActions, startedOk: ['l1'] }, s, NOW, cfg, {
      cycleId: 'c',
      dryRun: false,
    });
    const later = new Date(NOW.getTime() + 601_000);
    const observed = observeLanes(
      started.state.lanes,
      [lane('l1', { running: true })],
      later,
      cfg.backoff,
    );
    expect(observed.lanes.l1).toMatchObject({ failures: 0, start_failures: 0 });
    const forgiven = run(planFor({}), { ...started.state, lanes: observed.lanes }, {}).anomalies;
    expect(forgiven).not.toContain('start_failing');
  });

  it('three starts that died soon after raise lane_crash_loop (not start_failing), naming the lane', () => {
    let lanes = state().lanes;
    let t = NOW.getTime();
    for (let i = 0; i < 3; i++) {
      lanes = {
        ...lanes,
        l1: {
          ...(lanes.l1 ?? { failures: 0, start_failures: 0, backoff_until: null }),
          last_start_at: new Date(t).toISOString(),
          awaiting_exit: true,
        },
      };
      t += 30_000;
      lanes = observeLanes(lanes, [lane('l1', { running: false })], new Date(t), cfg.backoff).lanes;
    }
    expect(lanes.l1).toMatchObject({ failures: 3, start_failures: 0 });
    const c = run(planFor({}), state({ lanes }), {});
    expect(c.anomalies).toContain('lane_crash_loop');
    expect(c.anomalies).not.toContain('start_failing');
    expect(c.crashLoopingLanes).toEqual(['l1']);
  });

  it('more than circuit_breaker.failures failed actions in the window open the circuit', () => {
    let s = state();
    let c = run(planFor({}), s, { startFailed: ['l1'], otherFailures: 4 });
    expect(c.anomalies).not.toContain('recovery_circuit_open');
    s = c.state;
    c = run(planFor({}), s, { otherFailures: 1 });
    expect(c.anomalies).toContain('recovery_circuit_open');
    expect(c.state.circuit.open_until).toBe(at(900));
  });

  it('dry-run changes counters but records no failure, backoff or start', () => {
    const c = run(planFor({}), state(), { startFailed: ['l1'] }, true);
    expect(c.state.lanes.l1).toBeUndefined();
    expect(c.state.circuit.failure_times).toEqual([]);
    expect(c.state.consecutive_idle_cycles).toBe(1);
  });
});

describe('crash-loop backoff', () => {
  const b = cfg.backoff;
  it('doubles from initial_sec to max_sec', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelaySec(n, b))).toEqual([
      10, 20, 40, 80, 160, 300, 300,
    ]);
  });

  it('a lane that died within reset_after_sec of its start is backed off', () => {
    const started = {
      failures: 0,
      start_failures: 0,
      backoff_until: null,
      last_start_at: at(-30),
      awaiting_exit: true,
    };
    const observed = observeLanes({ l1: started }, [lane('l1')], NOW, b);
    expect(observed.exits).toEqual([{ lane: 'l1', ranSec: 30, shortLived: true }]);
    expect(observed.lanes.l1).toMatchObject({
      failures: 1,
      start_failures: 0,
      backoff_until: at(10),
      awaiting_exit: false,
    });
  });

  it('a lane that ran its course and stopped is not a crash', () => {
    const started = {
      failures: 2,
      start_failures: 0,
      backoff_until: null,
      last_start_at: at(-900),
      awaiting_exit: true,
    };
    const observed = observeLanes({ l1: started }, [lane('l1')], NOW, b);
    expect(observed.exits[0]!.shortLived).toBe(false);
    expect(observed.lanes.l1).toMatchObject({
      failures: 0,
      start_failures: 0,
      backoff_until: null,
    });
  });

  it('a lane that failed to start but runs now (slow start, or started by someone else) is forgiven after reset_after_sec', () => {
    // Three failed starts: crash-looping, and no longer awaiting an exit (its starts never verified).
    const failed = {
      failures: 3,
      start_failures: 0,
      backoff_until: at(-1),
      last_start_at: null,
      awaiting_exit: false,
    };
    let lanes = observeLanes({ l1: failed }, [lane('l1', { running: true })], NOW, b).lanes;
    expect(lanes.l1!.failures).toBe(3);
    const later = new Date(NOW.getTime() + (b.reset_after_sec + 1) * 1000);
    lanes = observeLanes(lanes, [lane('l1', { running: true })], later, b).lanes;
    expect(lanes.l1).toMatchObject({ failures: 0, start_failures: 0, backoff_until: null });
  });

  it('a lane still running young keeps its failure count', () => {
    const started = {
      failures: 2,
      start_failures: 0,
      backoff_until: null,
      last_start_at: at(-30),
      awaiting_exit: true,
    };
    expect(
      observeLanes({ l1: started }, [lane('l1', { running: true })], NOW, b).lanes.l1!.failures,
    ).toBe(2);
  });
});

describe('circuit breaker window', () => {
  const cb = cfg.circuit_breaker;
  it('forgets failures older than the window', () => {
    const c = updateCircuit({ failure_times: [at(-601), at(-599)], open_until: null }, 1, NOW, cb);
    expect(c.failure_times).toEqual([at(-599), NOW.toISOString()]);
  });
  it('closes and wipes the slate when the open period ends', () => {
    const c = updateCircuit(
      { failure_times: [at(-10), at(-9), at(-8), at(-7), at(-6), at(-5)], open_until: at(-1) },
      0,
      NOW,
      cb,
    );
    expect(c).toEqual({ failure_times: [], open_until: null });
  });
});

describe('escalation', () => {
  it('runs while persistent idle holds, at most every min interval', () => {
    expect(escalationDue(['persistent_idle_condition'], null, NOW, 1800)).toBe(true);
    expect(escalationDue(['persistent_idle_condition'], at(-1799), NOW, 1800)).toBe(false);
    expect(escalationDue(['persistent_idle_condition'], at(-1800), NOW, 1800)).toBe(true);
    expect(escalationDue(['idle_while_endpoints_healthy'], null, NOW, 1800)).toBe(false);
  });
});
