// `start` starts serve, and serve starts the watchdog (mutual supervision): `stop` and `status`
// cover both, so a stopped laneguard leaves nothing of itself running.
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { loadWatchdogConfig } from '../config/watchdog.js';
import type { Clock } from '../util/clock.js';
import { runningWatchdog, stopWatchdogDaemon } from '../watchdog/daemon.js';

const DEFAULT_WATCHDOG_PID = 'artifacts/autonomy/local_models/process_watchdog.pid';

/** The watchdog's pid file, also when its config cannot be loaded (then the default place). */
function watchdogTarget(root: string): { pidFile: string; root: string } {
  try {
    return { pidFile: loadWatchdogConfig(root).pidFile, root };
  } catch {
    return { pidFile: path.join(root, DEFAULT_WATCHDOG_PID), root };
  }
}

export interface WatchdogDaemonStatus {
  running: boolean;
  pid: number | null;
  /** Whether serve starts and restarts it (`supervise_watchdog`), so `stop` stops it too. */
  started_by_serve: boolean;
}

export function watchdogDaemonStatus(config: LoadedConfig): WatchdogDaemonStatus {
  const running = runningWatchdog(watchdogTarget(config.root));
  return {
    running: running !== null,
    pid: running?.pid ?? null,
    started_by_serve: config.guard.supervise_watchdog,
  };
}

/**
 * Stop the watchdog that serve started (only when serve supervises it: one run by systemd stays).
 * Returns a line for the operator, or null when there was nothing to stop.
 */
export async function stopServeWatchdog(
  config: LoadedConfig,
  clock: Clock,
  graceMs: number,
): Promise<string | null> {
  if (!config.guard.supervise_watchdog) return null;
  const target = watchdogTarget(config.root);
  if (!runningWatchdog(target)) return null;
  const result = await stopWatchdogDaemon(target, { clock, graceMs });
  if (result.status === 'stopped') return `watchdog stopped (pid ${result.pid})`;
  if (result.status === 'failed')
    return `could not stop the watchdog (pid ${result.pid}): ${result.reason}`;
  return null;
}
