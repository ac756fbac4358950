import { HistoryStore } from '../history/store.js';
import type { Clock } from '../util/clock.js';
import { IntervalScheduler } from '../util/scheduler.js';
import { runWatchdogCheck } from './check.js';
import type { WatchdogConfig } from '../config/watchdog.js';
import { claimWatchdogPidFile } from './daemon.js';
import type { WatchdogEvent } from '../core/watchdog/events.js';

export function watchdogHistory(config: WatchdogConfig, clock: Clock): HistoryStore {
  return new HistoryStore(config.historyFile, config.history, clock);
}

export interface LoopOptions {
  /** Loads (and reloads, every check) the config; a bad reload keeps the last good one. */
  loadConfig: () => WatchdogConfig;
  clock: Clock;
  log: (line: string) => void;
  signal: AbortSignal;
  random?: () => number;
  /** Real milliseconds between looks at the clock (the scheduler's tick; tests make it short). */
  tickMs?: number;
}

/** Look at the clock often enough for a sub-second interval (the schedule's resolution is one tick). */
function tickFor(intervalSec: number): number {
  return Math.max(50, Math.min(1000, (intervalSec * 1000) / 2));
}

function describeEvent(e: WatchdogEvent): string {
  const f = e.fields;
  const detail = Object.entries(f)
    .filter(
      ([k, v]) =>
        k !== 'process' && v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0),
    )
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${e.type} ${String(f.process ?? '')} ${detail}`.trim();
}

/**
 * `watchdog run`: claim the pid file, then check every `interval_sec` until `signal` aborts.
 * Returns the exit code: 0 after a stop request, 1 when another watchdog already runs.
 */
export async function runWatchdogLoop(options: LoopOptions): Promise<number> {
  const { clock, log, signal } = options;
  let config = options.loadConfig();
  const claim = claimWatchdogPidFile(config);
  if (!claim.ok) {
    log(
      `another watchdog is already running (pid ${claim.pid}, ${config.pidFile}); not starting a second one`,
    );
    return 1;
  }
  let history = watchdogHistory(config, clock);
  history.repair();
  history.append('watchdog_started', {
    pid: process.pid,
    interval_sec: config.intervalSec,
    processes: config.processes.map((p) => p.id),
  });
  log(
    `${clock.now().toISOString()} watchdog started (pid ${process.pid}), ${config.processes.length} process(es), every ${config.intervalSec}s`,
  );
  let lastReloadError: string | null = null;
  let exitCode = 0;
  // The loop ends on a stop request, or when the pid file names another process (this watchdog lost it).
  const done = new AbortController();
  const stop = (): void => done.abort();
  signal.addEventListener('abort', stop, { once: true });
  const scheduler = new IntervalScheduler(
    clock,
    (_job, err) => log(`${clock.now().toISOString()} check failed: ${err.message}`),
    { tickMs: options.tickMs ?? tickFor(config.intervalSec) },
  );
  scheduler.add({
    name: 'check',
    intervalSec: () => config.intervalSec,
    run: async () => {
      if (done.signal.aborted) return;
      try {
        config = options.loadConfig();
        history = watchdogHistory(config, clock);
        lastReloadError = null;
      } catch (err) {
        const message = (err as Error).message;
        if (message !== lastReloadError) {
          history.append('config_reload_failed', { error: message });
          log(
            `${clock.now().toISOString()} config reload failed, keeping the previous config: ${message}`,
          );
        }
        lastReloadError = message;
      }
      if (!claim.stillOurs()) {
        log(
          `${clock.now().toISOString()} ${config.pidFile} now names another process; this watchdog stops`,
        );
        exitCode = 1;
        stop();
        return;
      }
      const result = await runWatchdogCheck({
        config,
        clock,
        history,
        random: options.random,
        lockWaitMs: config.intervalSec * 1000,
      });
      if (result.busy)
        log(`${clock.now().toISOString()} another check holds ${result.lockFile}; skipped`);
      else for (const e of result.events) log(`${result.at} ${describeEvent(e)}`);
    },
  });
  try {
    await scheduler.runUntil(done.signal);
    return exitCode;
  } finally {
    signal.removeEventListener('abort', stop);
    history.append('watchdog_stopped', { pid: process.pid });
    log(`${clock.now().toISOString()} watchdog stopped (pid ${process.pid})`);
    claim.release();
  }
}
