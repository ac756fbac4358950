import { describe, expect, it } from 'vitest';
import { eventsFor, type CheckedProcess } from '../../../src/core/watchdog/events.js';
import { watchdogMetricValues } from '../../../src/core/watchdog/metrics.js';
import { watchdogSnapshot } from '../../../src/watchdog/serve-hooks.js';
import {
  emptyMemory,
  type ProcessMemory,
  type ProcessStatus,
  type WatchdogState,
} from '../../../src/core/watchdog/types.js';

const mem = (status: ProcessStatus, over: Partial<ProcessMemory> = {}): ProcessMemory => ({
  ...emptyMemory(),
  status,
  ...over,
});

function checked(
  before: ProcessStatus | undefined,
  status: ProcessStatus,
  over: Partial<CheckedProcess> = {},
): CheckedProcess {
  return {
    id: 'p',
    previous: before ? mem(before) : undefined,
    decided: {
      status,
      reason: status === 'healthy' ? null : 'pid 1 is not running',
      cause: status === 'healthy' ? null : 'pid_dead',
      action: 'none',
    },
    restart: null,
    memory: mem(status, { pid: 5 }),
    ...over,
  };
}

describe('eventsFor: transitions only', () => {
  it.each([
    ['healthy', 'healthy', []],
    ['backoff', 'backoff', []],
    ['given_up', 'given_up', []],
    [undefined, 'healthy', []],
    ['disabled', 'disabled', []],
    ['healthy', 'hung', ['process_down']],
    [undefined, 'backoff', ['process_down']],
    ['backoff', 'healthy', ['process_recovered']],
    ['given_up', 'healthy', ['process_recovered']],
  ] as const)('%s → %s: %j', (before, after, types) => {
    expect(eventsFor(checked(before, after)).map((e) => e.type)).toEqual(types);
  });

  it('a restart is one event, success or failure, with process, pid and reason', () => {
    const ok = eventsFor(
      checked('healthy', 'down', {
        restart: { outcome: { ok: true, pid: 77 }, previousPid: 5, signals: [] },
      }),
    );
    expect(ok).toEqual([
      {
        type: 'process_restarted',
        fields: expect.objectContaining({
          process: 'p',
          pid: 77,
          reason: 'pid 1 is not running',
          cause: 'pid_dead',
          previous_pid: 5,
        }),
      },
    ]);
    const failed = eventsFor(
      checked('healthy', 'hung', {
        restart: {
          outcome: { ok: false, reason: 'exited with code 1' },
          previousPid: 5,
          signals: ['SIGTERM'],
        },
      }),
    );
    expect(failed).toEqual([
      {
        type: 'process_restart_failed',
        fields: expect.objectContaining({
          process: 'p',
          error: 'exited with code 1',
          signals: ['SIGTERM'],
        }),
      },
    ]);
  });

  it('a give-up is recorded once, when it happens', () => {
    const now = checked('backoff', 'given_up', {
      decided: { status: 'given_up', reason: 'given up', cause: 'pid_dead', action: 'give_up' },
    });
    expect(eventsFor(now).map((e) => e.type)).toEqual(['process_gave_up']);
  });
});

describe('watchdogMetricValues', () => {
  const state: WatchdogState = {
    version: 1,
    updated_at: '2026-01-01T00:00:00.000Z',
    checked_by_pid: 1,
    processes: {
      serve: mem('healthy', { restarts_success: 2, restarts_failure: 1 }),
      supervisor: mem('given_up', { gave_up_at: '2026-01-01T00:00:00.000Z', restarts_failure: 6 }),
      heartbeat: mem('backoff', { restarts_failure: 1 }),
      old: mem('disabled', { restarts_success: 3 }),
    },
  };

  it('turns the state file into the four watchdog families', () => {
    const now = new Date('2026-01-01T00:01:30.000Z');
    const v = watchdogMetricValues(state, Date.parse('2026-01-01T00:00:00.000Z'), now);
    expect(v.stateAgeSeconds).toBe(90);
    expect(v.processUp).toEqual([
      { process: 'heartbeat', value: 0 },
      { process: 'serve', value: 1 },
      { process: 'supervisor', value: 0 },
    ]);
    expect(v.gaveUp).toEqual([
      { process: 'heartbeat', value: 0 },
      { process: 'serve', value: 0 },
      { process: 'supervisor', value: 1 },
    ]);
    expect(v.restartsTotal).toEqual([
      { process: 'heartbeat', result: 'success', value: 0 },
      { process: 'heartbeat', result: 'failure', value: 1 },
      { process: 'serve', result: 'success', value: 2 },
      { process: 'serve', result: 'failure', value: 1 },
      { process: 'supervisor', result: 'success', value: 0 },
      { process: 'supervisor', result: 'failure', value: 6 },
    ]);
    // A disabled process is not supervised: it has no series at all.
    expect(JSON.stringify(v)).not.toContain('"old"');
  });

  it('no state file: no process series and no invented age', () => {
    expect(watchdogMetricValues(null, null, new Date())).toEqual({
      processUp: [],
      restartsTotal: [],
      gaveUp: [],
      stateAgeSeconds: null,
    });
  });

  it("gives serve's metrics registry its WatchdogSnapshot: the same values, one row per supervised process", () => {
    expect(watchdogSnapshot(state, 1234)).toEqual({
      stateMtimeMs: 1234,
      processes: [
        { process: 'heartbeat', up: false, gaveUp: false, restartsSuccess: 0, restartsFailure: 1 },
        { process: 'serve', up: true, gaveUp: false, restartsSuccess: 2, restartsFailure: 1 },
        { process: 'supervisor', up: false, gaveUp: true, restartsSuccess: 0, restartsFailure: 6 },
      ],
    });
    expect(watchdogSnapshot(null, null)).toEqual({ processes: [], stateMtimeMs: null });
  });
});
