import type { Clock } from '../util/clock.js';
import { matcher, type WatchdogConfig } from '../config/watchdog.js';
import { snapshot } from '../process/index.js';
import { runningWatchdog } from './daemon.js';
import { observeProcess } from './observe.js';
import { decideProcess, givenUpUntil } from '../core/watchdog/policy.js';
import { readWatchdogState } from './state.js';
import {
  emptyMemory,
  type Decision,
  type ProcessMemory,
  type ProcessStatus,
} from '../core/watchdog/types.js';

export interface ProcessStatusRow {
  id: string;
  status: ProcessStatus;
  pid: number | null;
  restarts: number;
  last_restart_at: string | null;
  next_attempt_at: string | null;
  reason: string | null;
}

export interface WatchdogStatus {
  watchdog: {
    running: boolean;
    pid: number | null;
    pid_file: string;
    state_file: string;
    state_updated_at: string | null;
    state_age_sec: number | null;
  };
  processes: ProcessStatusRow[];
}

/**
 * One status row: status, reason and pid from a decision that was not acted on; restarts and times
 * from what the watchdog stored. Pure.
 */
export function statusRow(
  id: string,
  decision: Pick<Decision, 'status' | 'reason' | 'memory'>,
  stored: ProcessMemory | undefined,
  intervalSec: number,
  now: Date,
): ProcessStatusRow {
  const memory = stored ?? emptyMemory();
  let next: string | null = null;
  if (decision.status === 'given_up') next = givenUpUntil(decision.memory, intervalSec);
  else if (
    decision.status === 'backoff' &&
    memory.next_attempt_at &&
    Date.parse(memory.next_attempt_at) > now.getTime()
  )
    next = memory.next_attempt_at;
  return {
    id,
    status: decision.status,
    pid: decision.memory.pid,
    restarts: memory.restarts_success + memory.restarts_failure,
    last_restart_at: memory.last_restart_at,
    next_attempt_at: next,
    reason: decision.reason,
  };
}

/**
 * Status as of now: each process is observed live (pid, command line, health) and judged with the
 * watchdog's memory, but nothing is signalled, started or written.
 */
export async function watchdogStatus(
  config: WatchdogConfig,
  clock: Clock,
): Promise<WatchdogStatus> {
  const { state, mtimeMs } = readWatchdogState(config.stateFile);
  const daemon = runningWatchdog(config);
  // One look at the process table for every process (for ps: one call).
  const processes = snapshot();
  const rows = await Promise.all(
    config.processes.map(async (spec) => {
      const observation = await observeProcess(spec, matcher(spec), () => clock.now(), processes);
      const now = clock.now();
      const stored = state?.processes[spec.id];
      return statusRow(
        spec.id,
        decideProcess(observation, stored, spec, { id: spec.id, now }),
        stored,
        spec.startLimit.intervalSec,
        now,
      );
    }),
  );
  let stateAge: number | null = null;
  if (mtimeMs !== null) stateAge = Math.max(0, (clock.now().getTime() - mtimeMs) / 1000);
  return {
    watchdog: {
      running: daemon !== null,
      pid: daemon?.pid ?? null,
      pid_file: config.pidFile,
      state_file: config.stateFile,
      state_updated_at: state?.updated_at ?? null,
      state_age_sec: stateAge === null ? null : Math.round(stateAge),
    },
    processes: rows,
  };
}
