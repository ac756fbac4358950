// Which history events one check of one process produces: transitions only, never one per check. Pure.
import type { Cause } from './policy.js';
import type { ProcessMemory, ProcessStatus, RestartOutcome } from './types.js';

export interface WatchdogEvent {
  type:
    | 'process_restarted'
    | 'process_restart_failed'
    | 'process_gave_up'
    | 'process_recovered'
    | 'process_down'
    | 'watchdog_state_repaired';
  fields: Record<string, unknown>;
}

export interface CheckedProcess {
  id: string;
  previous: ProcessMemory | undefined;
  /** Status and reason the decision saw (before any restart). */
  decided: {
    status: ProcessStatus;
    reason: string | null;
    cause: Cause | null;
    action: 'none' | 'restart' | 'give_up';
  };
  restart: { outcome: RestartOutcome; previousPid: number | null; signals: string[] } | null;
  memory: ProcessMemory;
}

const TROUBLE: ReadonlySet<ProcessStatus> = new Set(['down', 'hung', 'backoff', 'given_up']);

export function eventsFor(p: CheckedProcess): WatchdogEvent[] {
  const { id, previous, decided, restart, memory } = p;
  if (restart) {
    const attempt = memory.attempts.length;
    if (restart.outcome.ok) {
      return [
        {
          type: 'process_restarted',
          fields: {
            process: id,
            pid: restart.outcome.pid,
            reason: decided.reason,
            cause: decided.cause,
            previous_pid: restart.previousPid,
            signals: restart.signals,
            attempt,
          },
        },
      ];
    }
    return [
      {
        type: 'process_restart_failed',
        fields: {
          process: id,
          reason: decided.reason,
          cause: decided.cause,
          error: restart.outcome.reason,
          previous_pid: restart.previousPid,
          signals: restart.signals,
          attempt,
          consecutive_failures: memory.consecutive_failures,
          backoff_sec: memory.last_backoff_sec,
          next_attempt_at: memory.next_attempt_at,
        },
      },
    ];
  }
  if (decided.action === 'give_up') {
    return [
      {
        type: 'process_gave_up',
        fields: {
          process: id,
          reason: decided.reason,
          cause: decided.cause,
          attempts: memory.attempts.length,
          gave_up_at: memory.gave_up_at,
        },
      },
    ];
  }
  const before = previous?.status;
  if (decided.status === 'healthy' && before !== undefined && TROUBLE.has(before)) {
    return [{ type: 'process_recovered', fields: { process: id, pid: memory.pid, from: before } }];
  }
  if (
    TROUBLE.has(decided.status) &&
    (before === undefined || before === 'healthy' || before === 'disabled')
  ) {
    return [
      {
        type: 'process_down',
        fields: {
          process: id,
          status: decided.status,
          reason: decided.reason,
          cause: decided.cause,
        },
      },
    ];
  }
  return [];
}
