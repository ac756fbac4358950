// Values of the watchdog metric families (SPEC §7), computed from the watchdog's state file. Pure:
// the metrics module reads the file on its own schedule and sets gauges from this.
import type { WatchdogState } from './types.js';

export interface WatchdogMetricValues {
  /** `laneguard_watchdog_process_up{process}`: 1 healthy, 0 otherwise. Disabled processes have no series. */
  processUp: Array<{ process: string; value: 0 | 1 }>;
  /** `laneguard_watchdog_restarts_total{process,result}`: cumulative, never decreasing. */
  restartsTotal: Array<{ process: string; result: 'success' | 'failure'; value: number }>;
  /** `laneguard_watchdog_gave_up{process}`: 1 while given up. */
  gaveUp: Array<{ process: string; value: 0 | 1 }>;
  /**
   * `laneguard_watchdog_state_age_seconds`: age of the state file; grows when the watchdog is dead.
   * null when there is no state file yet (export nothing rather than a fake age).
   */
  stateAgeSeconds: number | null;
}

export function watchdogMetricValues(
  state: WatchdogState | null,
  stateMtimeMs: number | null,
  now: Date,
): WatchdogMetricValues {
  const values: WatchdogMetricValues = {
    processUp: [],
    restartsTotal: [],
    gaveUp: [],
    stateAgeSeconds:
      stateMtimeMs === null ? null : Math.max(0, (now.getTime() - stateMtimeMs) / 1000),
  };
  if (!state) return values;
  for (const id of Object.keys(state.processes).sort()) {
    const memory = state.processes[id]!;
    // A disabled process is not supervised: no series at all (like a process removed from the config).
    if (memory.status === 'disabled') continue;
    values.restartsTotal.push({ process: id, result: 'success', value: memory.restarts_success });
    values.restartsTotal.push({ process: id, result: 'failure', value: memory.restarts_failure });
    values.processUp.push({ process: id, value: memory.status === 'healthy' ? 1 : 0 });
    values.gaveUp.push({ process: id, value: memory.gave_up_at !== null ? 1 : 0 });
  }
  return values;
}
