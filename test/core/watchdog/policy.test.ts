import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/util/clock.js';
import {
  afterRestart,
  attemptsInWindow,
  backoffDelaySec,
  decideProcess,
  resetMemory,
} from '../../../src/core/watchdog/policy.js';
import {
  emptyMemory,
  type Liveness,
  type Observation,
  type PolicySpec,
  type ProcessMemory,
} from '../../../src/core/watchdog/types.js';

const NOW = new Date('2026-01-01T12:00:00.000Z');
const ago = (sec: number): string => new Date(NOW.getTime() - sec * 1000).toISOString();
const later = (sec: number): string => new Date(NOW.getTime() + sec * 1000).toISOString();

const SPEC: PolicySpec = {
  enabled: true,
  restartCooldownSec: 0,
  startupGraceSec: 10,
  backoff: { initialSec: 10, maxSec: 300, jitterRatio: 0 },
  startLimit: { burst: 5, intervalSec: 600 },
};

const alive = (over: Partial<Extract<Liveness, { kind: 'alive' }>> = {}): Liveness => ({
  kind: 'alive',
  pid: 4242,
  start: 'proc:777',
  ageSec: 3600,
  ...over,
});
const obs = (liveness: Liveness, health: Observation['health'] = null): Observation => ({
  liveness,
  health,
});
const memory = (over: Partial<ProcessMemory> = {}): ProcessMemory => ({
  ...emptyMemory(),
  status: 'healthy',
  ...over,
});

describe('decideProcess', () => {
  const cases: Array<{
    name: string;
    observation: Observation;
    memory?: ProcessMemory;
    spec?: Partial<PolicySpec>;
    status: string;
    action: string;
    cause?: string | null;
    terminate?: { pid: number; start: string | null } | null;
  }> = [
    {
      name: 'alive, matching, healthy',
      observation: obs(alive(), { ok: true }),
      status: 'healthy',
      action: 'none',
      cause: null,
    },
    {
      name: 'alive, no health check configured',
      observation: obs(alive()),
      status: 'healthy',
      action: 'none',
    },
    {
      name: 'pid file missing',
      observation: obs({ kind: 'no_pid_file' }),
      status: 'down',
      action: 'restart',
      cause: 'no_pid_file',
      terminate: null,
    },
    {
      name: 'pid file garbage',
      observation: obs({ kind: 'bad_pid_file', detail: 'x' }),
      status: 'down',
      action: 'restart',
      cause: 'bad_pid_file',
      terminate: null,
    },
    {
      name: 'pid dead (SIGKILLed)',
      observation: obs({ kind: 'dead', pid: 4242 }),
      status: 'down',
      action: 'restart',
      cause: 'pid_dead',
      terminate: null,
    },
    {
      name: 'pid alive but another program: restarted, never signalled',
      observation: obs({ kind: 'foreign', pid: 1, cmdline: 'sleep 100' }),
      status: 'down',
      action: 'restart',
      cause: 'pid_foreign',
      terminate: null,
    },
    {
      name: 'alive but unhealthy (hung): the verified pid is stopped first',
      observation: obs(alive(), { ok: false, reason: 'stale' }),
      status: 'hung',
      action: 'restart',
      cause: 'unhealthy',
      terminate: { pid: 4242, start: 'proc:777' },
    },
    {
      name: 'unhealthy but younger than startup_grace_sec: left alone',
      observation: obs(alive({ ageSec: 4 }), { ok: false, reason: 'no health file yet' }),
      status: 'hung',
      action: 'none',
    },
    {
      name: 'disabled',
      observation: obs({ kind: 'no_pid_file' }),
      spec: { enabled: false },
      status: 'disabled',
      action: 'none',
    },
    {
      name: 'down during backoff',
      observation: obs({ kind: 'dead', pid: 1 }),
      memory: memory({ next_attempt_at: later(5) }),
      status: 'backoff',
      action: 'none',
    },
    {
      name: 'down, backoff over',
      observation: obs({ kind: 'dead', pid: 1 }),
      memory: memory({ next_attempt_at: ago(1) }),
      status: 'down',
      action: 'restart',
    },
    {
      name: 'down with burst attempts inside the interval: given up',
      observation: obs({ kind: 'dead', pid: 1 }),
      memory: memory({ attempts: [ago(500), ago(400), ago(300), ago(200), ago(100)] }),
      status: 'given_up',
      action: 'give_up',
    },
    {
      name: 'burst attempts but the oldest left the interval: restarted',
      observation: obs({ kind: 'dead', pid: 1 }),
      memory: memory({ attempts: [ago(601), ago(400), ago(300), ago(200), ago(100)] }),
      status: 'down',
      action: 'restart',
    },
    {
      name: 'given up, interval not over',
      observation: obs({ kind: 'dead', pid: 1 }),
      memory: memory({ status: 'given_up', gave_up_at: ago(599), attempts: [ago(650)] }),
      status: 'given_up',
      action: 'none',
    },
    {
      name: 'given up, interval over: fresh start',
      observation: obs({ kind: 'dead', pid: 1 }),
      memory: memory({ status: 'given_up', gave_up_at: ago(600), attempts: [ago(700)] }),
      status: 'down',
      action: 'restart',
    },
    {
      name: 'given up but healthy again (an operator started it)',
      observation: obs(alive(), { ok: true }),
      memory: memory({ status: 'given_up', gave_up_at: ago(10) }),
      status: 'healthy',
      action: 'none',
    },
  ];

  it.each(cases)('$name → $status / $action', (c) => {
    const d = decideProcess(c.observation, c.memory, { ...SPEC, ...c.spec }, { id: 'p', now: NOW });
    expect(d.status).toBe(c.status);
    expect(d.action.kind).toBe(c.action);
    expect(d.memory.status).toBe(c.status);
    if (c.cause !== undefined) expect(d.cause).toBe(c.cause);
    if (c.terminate !== undefined && d.action.kind === 'restart')
      expect(d.action.terminate).toEqual(c.terminate);
    if (c.action === 'restart') {
      expect(d.memory.attempts.at(-1)).toBe(NOW.toISOString());
      expect(d.memory.last_restart_at).toBe(NOW.toISOString());
    } else {
      expect(d.memory.attempts).not.toContain(NOW.toISOString());
    }
  });

  it('records the give-up time and names the way out in the reason', () => {
    const d = decideProcess(
      obs({ kind: 'dead', pid: 1 }),
      memory({ attempts: [ago(50), ago(40), ago(30), ago(20), ago(10)] }),
      SPEC,
      { id: 'serve', now: NOW },
    );
    expect(d.memory.gave_up_at).toBe(NOW.toISOString());
    expect(d.reason).toContain('laneguard watchdog reset serve');
    expect(d.reason).toContain(later(600));
  });

  it('a healthy observation ends the failure streak and keeps the counters', () => {
    const d = decideProcess(
      obs(alive(), { ok: true }),
      memory({
        consecutive_failures: 3,
        restarts_failure: 3,
        restarts_success: 1,
        status: 'backoff',
      }),
      SPEC,
      { id: 'p', now: NOW },
    );
    expect(d.memory).toMatchObject({
      consecutive_failures: 0,
      restarts_failure: 3,
      restarts_success: 1,
      pid: 4242,
      gave_up_at: null,
    });
  });
});

describe('backoffDelaySec', () => {
  it('doubles from initial_sec up to max_sec', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelaySec(n, SPEC.backoff, 0.5));
    expect(delays).toEqual([10, 20, 40, 80, 160, 300, 300, 300]);
    expect(backoffDelaySec(0, SPEC.backoff, 0.5)).toBe(0);
  });

  it('jitter stays within ±jitter_ratio and never goes above max_sec', () => {
    const backoff = { initialSec: 10, maxSec: 300, jitterRatio: 0.2 };
    for (let failures = 1; failures <= 8; failures++) {
      const nominal = Math.min(10 * 2 ** (failures - 1), 300);
      for (const rand of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999999]) {
        const delay = backoffDelaySec(failures, backoff, rand);
        expect(delay).toBeGreaterThanOrEqual(nominal * 0.8);
        expect(delay).toBeLessThanOrEqual(Math.min(300, nominal * 1.2));
      }
    }
    expect(backoffDelaySec(1, backoff, 0)).toBeCloseTo(8);
    expect(backoffDelaySec(1, backoff, 0.999999)).toBeCloseTo(12, 3);
    // Jitter spreads: two watchdogs with different draws do not retry in lockstep.
    expect(backoffDelaySec(3, backoff, 0.1)).not.toBe(backoffDelaySec(3, backoff, 0.9));
  });
});

describe('afterRestart', () => {
  it('success: streak over, cooldown starts, success counted', () => {
    const m = afterRestart(
      memory({ consecutive_failures: 2, restarts_success: 4 }),
      { ok: true, pid: 99 },
      { ...SPEC, restartCooldownSec: 30 },
      NOW,
      0.5,
    );
    expect(m).toMatchObject({
      status: 'healthy',
      pid: 99,
      consecutive_failures: 0,
      restarts_success: 5,
      next_attempt_at: later(30),
    });
  });

  it('failure: counted, backoff grows with each failure in a row, never below the cooldown', () => {
    let m = memory();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      m = afterRestart(
        m,
        { ok: false, reason: 'exited' },
        { ...SPEC, restartCooldownSec: 15 },
        NOW,
        0.5,
      );
      delays.push(m.last_backoff_sec!);
      expect(m.next_attempt_at).toBe(later(m.last_backoff_sec!));
    }
    expect(delays).toEqual([15, 20, 40, 80]);
    expect(m).toMatchObject({
      status: 'backoff',
      restarts_failure: 4,
      restarts_success: 0,
      consecutive_failures: 4,
      pid: null,
    });
  });
});

describe('reset and the start_limit window', () => {
  it('reset forgets backoff, attempts and give-up but not the counters', () => {
    const before = memory({
      status: 'given_up',
      gave_up_at: ago(1),
      attempts: [ago(5)],
      consecutive_failures: 5,
      next_attempt_at: later(100),
      restarts_failure: 5,
    });
    const after = resetMemory(before);
    expect(after).toMatchObject({
      gave_up_at: null,
      attempts: [],
      consecutive_failures: 0,
      next_attempt_at: null,
      restarts_failure: 5,
    });
    expect(
      decideProcess(obs({ kind: 'dead', pid: 1 }), after, SPEC, { id: 'p', now: NOW }).action.kind,
    ).toBe('restart');
  });

  it('only attempts inside the interval count', () => {
    expect(attemptsInWindow([ago(700), ago(600), ago(599), ago(0)], NOW, 600)).toEqual([
      ago(599),
      ago(0),
    ]);
  });
});

describe('a crash loop over time (fake clock)', () => {
  it('backs off 10, 20, 40, 80 s, gives up at the 6th attempt, retries once the interval has passed', () => {
    const clock = new FakeClock(NOW);
    let m: ProcessMemory | undefined;
    const gaps: number[] = [];
    let lastAttempt: number | null = null;
    let gaveUpAt: number | null = null;
    for (let step = 0; step < 400 && gaveUpAt === null; step++) {
      const d = decideProcess(obs({ kind: 'dead', pid: 1 }), m, SPEC, {
        id: 'p',
        now: clock.now(),
      });
      m = d.memory;
      if (d.action.kind === 'restart') {
        if (lastAttempt !== null) gaps.push((clock.now().getTime() - lastAttempt) / 1000);
        lastAttempt = clock.now().getTime();
        m = afterRestart(m, { ok: false, reason: 'died' }, SPEC, clock.now(), 0.5);
      }
      if (d.action.kind === 'give_up') gaveUpAt = clock.now().getTime();
      clock.advance(1000);
    }
    // One check a second: each attempt comes at the first check after the backoff.
    expect(gaps).toEqual([10, 20, 40, 80]);
    expect(m!.restarts_failure).toBe(5);
    expect(m!.restarts_success).toBe(0);
    expect(gaveUpAt).not.toBeNull();

    clock.set(new Date(gaveUpAt! + 599_000));
    expect(
      decideProcess(obs({ kind: 'dead', pid: 1 }), m, SPEC, { id: 'p', now: clock.now() }).status,
    ).toBe('given_up');
    clock.set(new Date(gaveUpAt! + 600_000));
    const fresh = decideProcess(obs({ kind: 'dead', pid: 1 }), m, SPEC, {
      id: 'p',
      now: clock.now(),
    });
    expect(fresh.action.kind).toBe('restart');
    expect(fresh.memory.attempts).toHaveLength(1);
  });

  it('cooldown: a process that dies right after a good restart waits restart_cooldown_sec', () => {
    const spec = { ...SPEC, restartCooldownSec: 30 };
    const m = afterRestart(
      decideProcess(obs({ kind: 'dead', pid: 1 }), undefined, spec, { id: 'p', now: NOW }).memory,
      { ok: true, pid: 7 },
      spec,
      NOW,
      0.5,
    );
    const soon = new Date(NOW.getTime() + 29_000);
    expect(
      decideProcess(obs({ kind: 'dead', pid: 7 }), m, spec, { id: 'p', now: soon }).status,
    ).toBe('backoff');
    expect(
      decideProcess(obs({ kind: 'dead', pid: 7 }), m, spec, {
        id: 'p',
        now: new Date(NOW.getTime() + 30_000),
      }).action.kind,
    ).toBe('restart');
  });
});
