// Ready-made pieces for `serve`: the watchdog metrics snapshot and the supervision job.
import path from 'node:path';
import type { HistoryStore } from '../history/store.js';
import type { WatchdogSnapshot } from '../metrics/registry.js';
import type { Clock } from '../util/clock.js';
import { loadWatchdogConfig } from '../config/watchdog.js';
import { watchdogMetricValues } from '../core/watchdog/metrics.js';
import { readWatchdogState } from './state.js';
import {
  ensureWatchdogRunning,
  type EnsureStatus,
  type EnsureWatchdogResult,
  type SupervisorMemory,
} from './supervise.js';
import type { WatchdogState } from '../core/watchdog/types.js';

const DEFAULT_STATE_FILE = 'artifacts/autonomy/local_models/process_watchdog_state.json';

/** The metrics module's snapshot from a state (pure): one row per supervised, enabled process. */
export function watchdogSnapshot(
  state: WatchdogState | null,
  stateMtimeMs: number | null,
): WatchdogSnapshot {
  // The registry computes the state age itself at scrape time; only the per-process values are used.
  const values = watchdogMetricValues(state, null, new Date(0));
  const restarts = (id: string, result: 'success' | 'failure'): number =>
    values.restartsTotal.find((r) => r.process === id && r.result === result)?.value ?? 0;
  return {
    processes: values.processUp.map(({ process, value }) => ({
      process,
      up: value === 1,
      gaveUp: values.gaveUp.some((g) => g.process === process && g.value === 1),
      restartsSuccess: restarts(process, 'success'),
      restartsFailure: restarts(process, 'failure'),
    })),
    stateMtimeMs,
  };
}

/** Where the watchdog of this root writes its state (its config's `state_file`, else the default). */
export function watchdogStateFile(root: string): string {
  try {
    return loadWatchdogConfig(root).stateFile;
  } catch {
    return path.join(path.resolve(root), DEFAULT_STATE_FILE);
  }
}

/** Read the state file into a snapshot (for a timer, never for a scrape). */
export function readWatchdogSnapshot(stateFile: string): WatchdogSnapshot {
  const { state, mtimeMs } = readWatchdogState(stateFile);
  return watchdogSnapshot(state, mtimeMs);
}

export interface SupervisionJobOptions {
  root: string;
  clock: Clock;
  /** Serve's current history (it changes on reload). */
  history: () => Pick<HistoryStore, 'append'> | null;
  log?: (line: string) => void;
  /** How often to check (default 30 s); read at every tick. */
  intervalSec?: number | (() => number);
  /** Tests: the `watchdog run` argv to start. */
  command?: readonly string[];
}

/** Same shape as serve's scheduler Job. */
export interface SupervisionJob {
  name: string;
  intervalSec: () => number;
  run: () => Promise<EnsureWatchdogResult>;
}

/**
 * A job for serve's scheduler: every `intervalSec` (30), ensureWatchdogRunning for the root, with
 * its backoff memory carried between runs. Logs only when something changes or is done.
 */
export function watchdogSupervisionJob(options: SupervisionJobOptions): SupervisionJob {
  let memory: SupervisorMemory | undefined;
  let lastStatus: EnsureStatus | null = null;
  return {
    name: 'watchdog-supervision',
    intervalSec: () =>
      typeof options.intervalSec === 'function'
        ? options.intervalSec()
        : (options.intervalSec ?? 30),
    run: async () => {
      const result = await ensureWatchdogRunning({
        root: options.root,
        clock: options.clock,
        history: options.history(),
        memory,
        command: options.command,
      });
      memory = result.memory;
      const quiet = result.status === 'not_configured' && lastStatus === null;
      if (
        !quiet &&
        (result.status !== lastStatus || result.restarted || result.status === 'restart_failed')
      ) {
        options.log?.(
          `watchdog supervision: ${result.status}${result.pid ? ` (pid ${result.pid})` : ''}${result.reason ? `: ${result.reason}` : ''}`,
        );
      }
      lastStatus = result.status;
      return result;
    },
  };
}
