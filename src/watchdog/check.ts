import { acquireLock } from '../store/lock.js';
import type { HistoryStore } from '../history/store.js';
import type { Clock } from '../util/clock.js';
import { matcher, type ProcessSpec, type WatchdogConfig } from '../config/watchdog.js';
import { eventsFor, type CheckedProcess, type WatchdogEvent } from '../core/watchdog/events.js';
import { snapshot, type ProcessSnapshot } from '../process/index.js';
import { observeProcess } from './observe.js';
import { afterRestart, decideProcess } from '../core/watchdog/policy.js';
import { restartProcess } from './restart.js';
import { loadWatchdogState, saveWatchdogState } from './state.js';
import { statusRow, type ProcessStatusRow } from './status.js';
import type { ProcessMemory, WatchdogState } from '../core/watchdog/types.js';

export interface CheckDeps {
  config: WatchdogConfig;
  clock: Clock;
  history: HistoryStore;
  /** Source of jitter, in [0, 1). */
  random?: () => number;
  /** How long to wait for another check (a `run` loop, another `once`) holding the lock. */
  lockWaitMs?: number;
}

/** The status row of `watchdog status`, plus what this check did. */
export interface ProcessCheckResult extends ProcessStatusRow {
  action: 'none' | 'restarted' | 'restart_failed' | 'gave_up';
  signals: string[];
}

export type CheckResult =
  | {
      busy: false;
      at: string;
      ok: boolean;
      processes: ProcessCheckResult[];
      events: WatchdogEvent[];
      state: WatchdogState;
      stateRepairedFrom: string | null;
    }
  | { busy: true; lockFile: string };

async function checkOne(
  spec: ProcessSpec,
  previous: ProcessMemory | undefined,
  deps: CheckDeps,
  processes: ProcessSnapshot,
): Promise<CheckedProcess & { signals: string[] }> {
  const match = matcher(spec);
  const observation = await observeProcess(spec, match, () => deps.clock.now(), processes);
  const decision = decideProcess(observation, previous, spec, {
    id: spec.id,
    now: deps.clock.now(),
  });
  const decided = {
    status: decision.status,
    reason: decision.reason,
    cause: decision.cause,
    action: decision.action.kind,
  };
  if (decision.action.kind !== 'restart')
    return { id: spec.id, previous, decided, restart: null, memory: decision.memory, signals: [] };
  const report = await restartProcess(spec, match, decision.action.terminate, deps.clock);
  const memory = afterRestart(
    decision.memory,
    report.outcome,
    spec,
    deps.clock.now(),
    (deps.random ?? Math.random)(),
  );
  const previousPid =
    observation.liveness.kind === 'alive' || observation.liveness.kind === 'dead'
      ? observation.liveness.pid
      : null;
  return {
    id: spec.id,
    previous,
    decided,
    restart: { outcome: report.outcome, previousPid, signals: report.signals },
    memory,
    signals: report.signals,
  };
}

function actionOf(p: CheckedProcess): ProcessCheckResult['action'] {
  if (p.restart) return p.restart.outcome.ok ? 'restarted' : 'restart_failed';
  return p.decided.action === 'give_up' ? 'gave_up' : 'none';
}

/**
 * One pass over every configured process: observe → decide → act → persist → record transitions.
 * Processes are checked concurrently, so one slow restart does not delay the others. Only one check
 * runs at a time per root (a lock a dead holder does not keep).
 */
export async function runWatchdogCheck(deps: CheckDeps): Promise<CheckResult> {
  const { config, clock, history } = deps;
  const lock = await acquireLock(config.lockFile, deps.lockWaitMs ?? 0);
  if (!lock) return { busy: true, lockFile: config.lockFile };
  try {
    const loaded = loadWatchdogState(config.stateFile, clock.now());
    // One look at the process table for the whole check (for ps: one call), taken before any restart.
    const table = snapshot();
    const checked = await Promise.all(
      config.processes.map((spec) => checkOne(spec, loaded.state.processes[spec.id], deps, table)),
    );
    const state: WatchdogState = {
      version: 1,
      updated_at: clock.now().toISOString(),
      checked_by_pid: process.pid,
      // Processes removed from the config are forgotten.
      processes: Object.fromEntries(checked.map((p) => [p.id, p.memory])),
    };
    saveWatchdogState(config.stateFile, state);
    const events = checked.flatMap(eventsFor);
    if (loaded.repairedFrom !== null || loaded.error !== null) {
      events.unshift({
        type: 'watchdog_state_repaired',
        fields: { file: config.stateFile, moved_to: loaded.repairedFrom, error: loaded.error },
      });
    }
    for (const e of events) history.append(e.type, e.fields);
    const now = clock.now();
    const processes = checked.map((p, i) => ({
      ...statusRow(
        p.id,
        { status: p.memory.status, reason: p.memory.reason, memory: p.memory },
        p.memory,
        config.processes[i]!.startLimit.intervalSec,
        now,
      ),
      action: actionOf(p),
      signals: p.signals,
    }));
    return {
      busy: false,
      at: state.updated_at!,
      ok: processes.every((p) => p.status === 'healthy' || p.status === 'disabled'),
      processes,
      events,
      state,
      stateRepairedFrom: loaded.repairedFrom,
    };
  } finally {
    lock.release();
  }
}
