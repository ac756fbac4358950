import { describe, expect, it } from 'vitest';
import type { LaneSnapshot, SkipReason, Trigger } from '../../../src/domain/types.js';
import { decide, decideSteps, ensureDue, triggerActs } from '../../../src/core/guard/policy.js';
import {
  at,
  endpoint,
  guardConfig,
  lane,
  NOW,
  pause,
  state,
  URL_A,
  URL_B,
} from '../../helpers/builders.js';

type Row = {
  name: string;
  lanes: LaneSnapshot[];
  endpoints?: ReturnType<typeof endpoint>[];
  config?: Record<string, unknown>;
  st?: Parameters<typeof state>[0];
  trigger?: Trigger;
  onlyLanes?: string[];
  expectReason: SkipReason | 'start' | 'running' | 'not_local';
  lane?: string;
};

const rows: Row[] = [
  {
    name: 'a stopped lane with work and a healthy endpoint is started',
    lanes: [lane('l1')],
    expectReason: 'start',
  },
  {
    name: 'a running lane is left alone',
    lanes: [lane('l1', { running: true, pid: 42 })],
    expectReason: 'running',
  },
  {
    name: 'floor unmet: no start even for a good lane',
    lanes: [lane('l1')],
    config: { minimum_healthy_endpoints: 2 },
    expectReason: 'endpoint_floor_not_met',
  },
  {
    name: 'floor unmet: a stale pause is not a candidate either',
    lanes: [lane('l1', pause())],
    endpoints: [endpoint('a', { healthy: false, state: 'down' })],
    expectReason: 'endpoint_floor_not_met',
  },
  {
    name: "the lane's only endpoint is down",
    lanes: [lane('l1', { endpointUrls: [URL_B] })],
    endpoints: [endpoint('a'), endpoint('b', { healthy: false, state: 'down' })],
    expectReason: 'endpoint_unhealthy',
  },
  {
    name: 'a lane URL that names no configured endpoint never counts as healthy',
    lanes: [lane('l1', { endpointUrls: ['http://10.0.0.9:1/v1'] })],
    expectReason: 'endpoint_unhealthy',
  },
  {
    name: 'first URL dead, second healthy: eligible (all URLs count)',
    lanes: [lane('l1', { endpointUrls: [URL_B, URL_A] })],
    endpoints: [endpoint('a'), endpoint('b', { healthy: false, state: 'down' })],
    expectReason: 'start',
  },
  {
    name: 'a fresh manual pause is respected',
    lanes: [lane('l1', pause({ stale: false, ageSec: 30 }))],
    expectReason: 'manual_pause_active',
  },
  {
    name: 'a held pause is never cleared, however old',
    lanes: [lane('l1', pause({ held: true, stale: false, ageSec: 99999 }))],
    expectReason: 'pause_held',
  },
  {
    name: 'manual and held at once is held',
    lanes: [lane('l1', pause({ held: true, manual: true, stale: false }))],
    expectReason: 'pause_held',
  },
  {
    name: 'a non-manual pause (another system paused it) stays',
    lanes: [lane('l1', pause({ manual: false, stale: false, message: 'paused by deploy' }))],
    expectReason: 'pause_active',
  },
  {
    name: 'a stale pause with auto-unpause off stays',
    lanes: [lane('l1', pause())],
    config: { auto_unpause_local_lanes: false },
    expectReason: 'manual_pause_active',
  },
  {
    name: 'a stale pause of a lane with work is cleared and started',
    lanes: [lane('l1', pause())],
    expectReason: 'start',
  },
  {
    name: 'no work: not started',
    lanes: [lane('l1', { pending: 0 })],
    expectReason: 'no_runnable_work',
  },
  {
    name: 'no work but require_pending_work off: started',
    lanes: [lane('l1', { pending: 0 })],
    config: { require_pending_work: false },
    expectReason: 'start',
  },
  {
    name: 'blocked-only work counts when allow_blocked_recovery',
    lanes: [
      lane('l1', {
        pending: 0,
        work: { pending: 0, in_progress: 0, blocked: 2, done: 0, queued: 0 },
      }),
    ],
    expectReason: 'start',
  },
  {
    name: 'blocked-only work does not count without allow_blocked_recovery',
    lanes: [
      lane('l1', {
        pending: 0,
        work: { pending: 0, in_progress: 0, blocked: 2, done: 0, queued: 0 },
      }),
    ],
    config: { allow_blocked_recovery: false },
    expectReason: 'no_runnable_work',
  },
  {
    name: 'queued-only work counts when queue_depth_enables_start',
    lanes: [
      lane('l1', {
        pending: 0,
        work: { pending: 0, in_progress: 0, blocked: 0, done: 0, queued: 3 },
      }),
    ],
    expectReason: 'start',
  },
  {
    name: 'queued-only work does not count when queue depth is off',
    lanes: [
      lane('l1', {
        pending: 0,
        work: { pending: 0, in_progress: 0, blocked: 0, done: 0, queued: 3 },
      }),
    ],
    config: { queue_depth_enables_start: false },
    expectReason: 'no_runnable_work',
  },
  {
    name: 'crash-loop backoff still running',
    lanes: [lane('l1')],
    st: {
      lanes: {
        l1: {
          failures: 2,
          start_failures: 0,
          backoff_until: at(30),
          last_start_at: at(-60),
          awaiting_exit: false,
        },
      },
    },
    expectReason: 'backoff',
  },
  {
    name: 'backoff that ended no longer blocks',
    lanes: [lane('l1')],
    st: {
      lanes: {
        l1: {
          failures: 2,
          start_failures: 0,
          backoff_until: at(-1),
          last_start_at: at(-60),
          awaiting_exit: false,
        },
      },
    },
    expectReason: 'start',
  },
  {
    name: 'endpoint at effective max_parallel',
    lanes: [lane('r1', { running: true }), lane('l1')],
    endpoints: [
      endpoint('a', { configuredMaxParallel: 4, recommendedParallel: 1, effectiveMaxParallel: 1 }),
    ],
    expectReason: 'capacity_full',
    lane: 'l1',
  },
  {
    name: 'circuit open: no actions',
    lanes: [lane('l1')],
    st: { circuit: { failure_times: [], open_until: at(100) } },
    expectReason: 'circuit_open',
  },
  {
    name: 'alert mode: the schedule only observes',
    lanes: [lane('l1')],
    config: { mode: 'alert' },
    trigger: 'schedule',
    expectReason: 'observe_only',
  },
  {
    name: 'alert mode: an alert acts',
    lanes: [lane('l1')],
    config: { mode: 'alert' },
    trigger: 'alert',
    expectReason: 'start',
  },
  {
    name: 'autonomous mode: an alert is recorded, not acted on',
    lanes: [lane('l1')],
    config: { mode: 'autonomous' },
    trigger: 'alert',
    expectReason: 'observe_only',
  },
  {
    name: 'autonomous mode: the schedule acts',
    lanes: [lane('l1')],
    config: { mode: 'autonomous' },
    trigger: 'schedule',
    expectReason: 'start',
  },
  {
    name: 'recover_lane: other lanes are not targeted',
    lanes: [lane('l1'), lane('l2')],
    onlyLanes: ['l2', 'l3'],
    expectReason: 'not_targeted',
    lane: 'l1',
  },
  {
    name: 'recover_lane: the targeted lane starts',
    lanes: [lane('l1'), lane('l2')],
    onlyLanes: ['l2', 'l3'],
    expectReason: 'start',
    lane: 'l2',
  },
  {
    name: 'a disabled lane is not a local lane',
    lanes: [lane('l1', { enabled: false })],
    expectReason: 'not_local',
  },
  {
    name: 'a lane without local URLs is not a local lane',
    lanes: [lane('l1', { local: false, endpointUrls: [] })],
    expectReason: 'not_local',
  },
  {
    name: 'require_local_only: a local lane that may fall back to hosted models is excluded',
    lanes: [lane('l1', { localOnly: false })],
    expectReason: 'not_local',
  },
  {
    name: 'require_local_only off: such a lane is included',
    lanes: [lane('l1', { localOnly: false })],
    config: { require_local_only: false },
    expectReason: 'start',
  },
  {
    name: 'allowlist excludes others',
    lanes: [lane('l1')],
    config: { lane_id_allowlist: ['l9'] },
    expectReason: 'not_local',
  },
  {
    name: 'denylist excludes',
    lanes: [lane('l1')],
    config: { lane_id_denylist: ['l1'] },
    expectReason: 'not_local',
  },
  {
    name: 'max_auto_starts_per_cycle 0 starts nothing',
    lanes: [lane('l1')],
    config: { max_auto_starts_per_cycle: 0 },
    expectReason: 'start_limit_reached',
  },
];

describe('decide(): one reason per lane', () => {
  it.each(rows)('$name', (row) => {
    const plan = decide({
      lanes: row.lanes,
      endpoints: row.endpoints ?? [endpoint('a')],
      state: state(row.st),
      config: guardConfig(row.config),
      now: NOW,
      trigger: row.trigger ?? 'manual',
      onlyLanes: row.onlyLanes ?? null,
    });
    const id = row.lane ?? row.lanes[row.lanes.length - 1]!.id;
    const decision = plan.decisions.find((d) => d.id === id);
    if (row.expectReason === 'not_local') {
      expect(decision).toBeUndefined();
      expect(plan.localLaneIds).not.toContain(id);
      return;
    }
    expect(decision).toBeDefined();
    if (row.expectReason === 'start') {
      expect(decision!.verdict).toBe('start');
      expect(plan.starts.map((s) => s.id)).toContain(id);
    } else if (row.expectReason === 'running') {
      expect(decision!.verdict).toBe('running');
      expect(plan.starts).toHaveLength(0);
    } else {
      expect(decision!.verdict).toBe('skip');
      expect(decision!.reason).toBe(row.expectReason);
      expect(plan.starts.map((s) => s.id)).not.toContain(id);
      expect(plan.unpauses.map((u) => u.id)).not.toContain(id);
    }
  });
});

describe('decide(): ordering, caps, capacity and unpausing', () => {
  const cfg = guardConfig();

  it('starts highest score first, ties by id, up to max_auto_starts_per_cycle', () => {
    const lanes = [
      lane('d', { pending: 1 }), // 100
      lane('c', {
        pending: 0,
        work: { pending: 0, in_progress: 0, blocked: 0, done: 0, queued: 1 },
      }), // 120
      lane('b', { pending: 1 }), // 100, ties with d → b first
      lane('a', {
        pending: 0,
        work: { pending: 0, in_progress: 3, blocked: 1, done: 9, queued: 0 },
      }), // 155
      lane('e', { pending: 5 }), // 500
    ];
    const plan = decide({
      lanes,
      endpoints: [endpoint('a', { effectiveMaxParallel: 10 })],
      state: state(),
      config: guardConfig({ max_auto_starts_per_cycle: 4 }),
      now: NOW,
      trigger: 'schedule',
    });
    expect(plan.starts.map((s) => [s.id, s.score])).toEqual([
      ['e', 500],
      ['a', 155],
      ['c', 120],
      ['b', 100],
    ]);
    expect(plan.decisions.find((d) => d.id === 'd')!.reason).toBe('start_limit_reached');
  });

  it('ties are broken by id in code-unit order, whatever the machine locale', () => {
    // A locale's collation would put `a_1` before `a-1` and `b` before `B`.
    const ids = ['b', 'a_1', 'B', 'a-1', 'a1'];
    const plan = decide({
      lanes: ids.map((id) => lane(id, { pending: 1 })),
      endpoints: [endpoint('a', { effectiveMaxParallel: 10 })],
      state: state(),
      config: guardConfig({ max_auto_starts_per_cycle: 10 }),
      now: NOW,
      trigger: 'schedule',
    });
    expect(plan.starts.map((s) => s.id)).toEqual(['B', 'a-1', 'a1', 'a_1', 'b']);
    expect(plan.localLaneIds).toEqual(['B', 'a-1', 'a1', 'a_1', 'b']);
  });

  it('score = 100·pending + 50·in_progress + 5·blocked + 120·queued', () => {
    const plan = decide({
      lanes: [
        lane('x', { work: { pending: 2, in_progress: 3, blocked: 4, done: 100, queued: 5 } }),
      ],
      endpoints: [endpoint('a')],
      state: state(),
      config: cfg,
      now: NOW,
      trigger: 'manual',
    });
    expect(plan.starts[0]!.score).toBe(200 + 150 + 20 + 600);
  });

  it('never plans more starts on an endpoint than its free capacity, counting running lanes', () => {
    const lanes = [
      lane('run1', { running: true }),
      lane('l1', { pending: 3 }),
      lane('l2', { pending: 2 }),
      lane('l3', { pending: 1 }),
    ];
    const plan = decide({
      lanes,
      endpoints: [endpoint('a', { effectiveMaxParallel: 2, configuredMaxParallel: 2 })],
      state: state(),
      config: cfg,
      now: NOW,
      trigger: 'manual',
    });
    expect(plan.starts.map((s) => s.id)).toEqual(['l1']);
    expect(plan.decisions.filter((d) => d.reason === 'capacity_full').map((d) => d.id)).toEqual([
      'l2',
      'l3',
    ]);
    expect(plan.endpointLoad.a).toBe(2);
  });

  it("spreads starts over a lane's endpoints when one is full", () => {
    const lanes = [
      lane('l1', { endpointUrls: [URL_A, URL_B], pending: 2 }),
      lane('l2', { endpointUrls: [URL_A, URL_B], pending: 1 }),
    ];
    const plan = decide({
      lanes,
      endpoints: [
        endpoint('a', { effectiveMaxParallel: 1 }),
        endpoint('b', { effectiveMaxParallel: 1 }),
      ],
      state: state(),
      config: cfg,
      now: NOW,
      trigger: 'manual',
    });
    expect(plan.starts.map((s) => s.endpointKey).sort()).toEqual(['a', 'b']);
  });

  it('a running lane is counted against a healthy endpoint, not a dead one listed first', () => {
    const lanes = [lane('run1', { running: true, endpointUrls: [URL_B, URL_A] }), lane('l1')];
    const plan = decide({
      lanes,
      endpoints: [
        endpoint('a', { effectiveMaxParallel: 1 }),
        endpoint('b', { healthy: false, state: 'down', effectiveMaxParallel: 1 }),
      ],
      state: state(),
      config: cfg,
      now: NOW,
      trigger: 'manual',
    });
    expect(plan.decisions.find((d) => d.id === 'run1')!.endpointKey).toBe('a');
    expect(plan.decisions.find((d) => d.id === 'l1')!.reason).toBe('capacity_full');
  });

  it('counts every running lane on an endpoint against its capacity, not only the lanes the guard manages', () => {
    // Running lanes outside the guard's own set (may fall back to hosted, disabled in config, denylisted)
    // still hold the endpoint's slots.
    const lanes = [
      lane('fallback', { running: true, localOnly: false }),
      lane('disabled', { running: true, enabled: false }),
      lane('denied', { running: true }),
      lane('l1', { pending: 3 }),
    ];
    const plan = decide({
      lanes,
      endpoints: [endpoint('a', { effectiveMaxParallel: 3, configuredMaxParallel: 3 })],
      state: state(),
      config: guardConfig({ lane_id_denylist: ['denied'] }),
      now: NOW,
      trigger: 'manual',
    });
    expect(plan.localLaneIds).toEqual(['l1']);
    expect(plan.starts).toEqual([]);
    expect(plan.decisions.find((d) => d.id === 'l1')!.reason).toBe('capacity_full');
    expect(plan.endpointLoad.a).toBe(3);
  });

  it('clears a stale pause only for a lane that is about to start', () => {
    const lanes = [lane('s1', { ...pause(), pending: 5 }), lane('s2', { ...pause(), pending: 1 })];
    const plan = decide({
      lanes,
      endpoints: [endpoint('a', { effectiveMaxParallel: 1 })],
      state: state(),
      config: cfg,
      now: NOW,
      trigger: 'manual',
    });
    expect(plan.starts.map((s) => s.id)).toEqual(['s1']);
    expect(plan.unpauses).toEqual([
      { id: 's1', reason: 'stale_manual_pause', pauseAgeSec: 3600, pauseMessage: 'manual pause' },
    ]);
  });

  it('below the floor nothing is unpaused, even by force', () => {
    const plan = decide({
      lanes: [lane('l1', pause({ held: true, stale: false }))],
      endpoints: [endpoint('a', { healthy: false })],
      state: state(),
      config: cfg,
      now: NOW,
      trigger: 'manual',
      forceUnpause: 'l1',
    });
    expect(plan.floorMet).toBe(false);
    expect(plan.unpauses).toEqual([]);
    expect(plan.starts).toEqual([]);
    expect(plan.forceUnpauseBlocked).toMatch(/floor/);
  });

  it('force-unpause clears even a held pause and the lane may start', () => {
    const plan = decide({
      lanes: [lane('l1', pause({ held: true, stale: false }))],
      endpoints: [endpoint('a')],
      state: state(),
      config: cfg,
      now: NOW,
      trigger: 'manual',
      forceUnpause: 'l1',
    });
    expect(plan.unpauses.map((u) => [u.id, u.reason])).toEqual([['l1', 'force_unpause']]);
    expect(plan.starts.map((s) => s.id)).toEqual(['l1']);
  });

  it('force-unpause of a lane without work clears the flag but does not start it', () => {
    const plan = decide({
      lanes: [lane('l1', { ...pause({ held: true, stale: false }), pending: 0 })],
      endpoints: [endpoint('a')],
      state: state(),
      config: cfg,
      now: NOW,
      trigger: 'manual',
      forceUnpause: 'l1',
    });
    expect(plan.unpauses.map((u) => u.id)).toEqual(['l1']);
    expect(plan.decisions[0]!.reason).toBe('no_runnable_work');
  });

  it('force-unpause of an unknown lane is reported, not guessed', () => {
    const plan = decide({
      lanes: [lane('l1')],
      endpoints: [endpoint('a')],
      state: state(),
      config: cfg,
      now: NOW,
      trigger: 'manual',
      forceUnpause: 'nope',
    });
    expect(plan.unpauses).toEqual([]);
    expect(plan.forceUnpauseBlocked).toMatch(/no local lane/);
  });

  it('starved = stopped, has work, an endpoint healthy, not held', () => {
    const lanes = [
      lane('starved'),
      lane('held', pause({ held: true, stale: false })),
      lane('fresh', pause({ stale: false })),
      lane('nowork', { pending: 0 }),
      lane('down', { endpointUrls: [URL_B] }),
      lane('run', { running: true }),
    ];
    const plan = decide({
      lanes,
      endpoints: [endpoint('a'), endpoint('b', { healthy: false })],
      state: state(),
      config: cfg,
      now: NOW,
      trigger: 'schedule',
    });
    const starved = plan.decisions
      .filter((d) => d.starved)
      .map((d) => d.id)
      .sort();
    expect(starved).toEqual(['fresh', 'starved']);
  });

  it('acts per mode and trigger', () => {
    expect([
      triggerActs('hybrid', 'schedule'),
      triggerActs('hybrid', 'alert'),
      triggerActs('hybrid', 'manual'),
    ]).toEqual([true, true, true]);
    expect([
      triggerActs('alert', 'schedule'),
      triggerActs('alert', 'alert'),
      triggerActs('alert', 'manual'),
    ]).toEqual([false, true, true]);
    expect([
      triggerActs('autonomous', 'schedule'),
      triggerActs('autonomous', 'alert'),
      triggerActs('autonomous', 'manual'),
    ]).toEqual([true, false, true]);
  });
});

describe('ensureDue()', () => {
  const base = decide({
    lanes: [lane('r', { running: true })],
    endpoints: [endpoint('a')],
    state: state(),
    config: guardConfig(),
    now: NOW,
    trigger: 'schedule',
  });
  it('runs after a recovery', () =>
    expect(ensureDue(base, true, at(-1), NOW, 300)).toBe('after_recovery'));
  it('runs when the interval passed', () =>
    expect(ensureDue(base, false, at(-300), NOW, 300)).toBe('interval'));
  it('runs on the first cycle', () =>
    expect(ensureDue(base, false, null, NOW, 300)).toBe('interval'));
  it('waits inside the interval', () =>
    expect(ensureDue(base, false, at(-299), NOW, 300)).toBeNull());
  it('never below the floor', () =>
    expect(ensureDue({ ...base, floorMet: false }, true, null, NOW, 300)).toBeNull());
  it('never while the circuit is open', () =>
    expect(ensureDue({ ...base, circuitOpen: true }, true, null, NOW, 300)).toBeNull());
  it('never when the trigger only observes', () =>
    expect(ensureDue({ ...base, acts: false }, true, null, NOW, 300)).toBeNull());
});

describe('decideSteps(): the same plan, with pauses a cycle can hand the event loop back at', () => {
  it('pauses every 500 lanes and returns exactly what decide() returns', () => {
    const lanes = Array.from({ length: 1234 }, (_, i) =>
      lane(`l${String(i).padStart(4, '0')}`, { pending: i % 7, running: i % 5 === 0 }),
    );
    const input = {
      lanes,
      endpoints: [endpoint('a', { effectiveMaxParallel: 300 })],
      state: state(),
      config: guardConfig({ max_auto_starts_per_cycle: 50 }),
      now: NOW,
      trigger: 'schedule' as const,
    };
    const steps = decideSteps(input);
    let pauses = 0;
    let r = steps.next();
    for (; !r.done; r = steps.next()) pauses++;
    expect(pauses).toBe(2);
    expect(r.value).toEqual(decide(input));
    expect(r.value.starts).toHaveLength(50);
  });
});
