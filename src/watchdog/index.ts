// What the rest of laneguard uses from the watchdog: serve's half of mutual supervision, and the
// values of the watchdog metric families.
export {
  loadWatchdogConfig,
  watchdogConfigFile,
  type ProcessSpec,
  type WatchdogConfig,
} from '../config/watchdog.js';
export {
  ensureWatchdogRunning,
  watchdogStaleAfterSec,
  type EnsureWatchdogOptions,
  type EnsureWatchdogResult,
  type SupervisorMemory,
} from './supervise.js';
export { watchdogMetricValues, type WatchdogMetricValues } from '../core/watchdog/metrics.js';
export { readWatchdogState } from './state.js';
export type { ProcessStatus, WatchdogState } from '../core/watchdog/types.js';
export {
  readWatchdogSnapshot,
  watchdogSnapshot,
  watchdogStateFile,
  watchdogSupervisionJob,
  type SupervisionJob,
  type SupervisionJobOptions,
} from './serve-hooks.js';
