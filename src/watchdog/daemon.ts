// `watchdog run` as a background daemon: one configuration of src/process's pid-file daemon helper.
import {
  checkDaemon,
  claimPidFile,
  startDaemon,
  stopDaemon,
  type Claim,
  type DaemonSpec,
  type Identity,
} from '../process/index.js';
import type { Clock } from '../util/clock.js';
import { laneguardMain } from '../util/self.js';
import type { WatchdogConfig } from '../config/watchdog.js';

/** A `watchdog run` command line: the only process the watchdog's pid file is trusted to name. */
export const WATCHDOG_RUN_MATCH = /(?:^|\s)watchdog\s+run(?:\s|$)/;
export const WATCHDOG_RUN_WORDS = ['watchdog', 'run'] as const;

/** `laneguard --root ROOT watchdog run`, with this installation's node and entry point. */
export function defaultWatchdogCommand(root: string): string[] {
  return [process.execPath, laneguardMain(), '--root', root, 'watchdog', 'run'];
}

export function watchdogDaemonSpec(
  config: Pick<WatchdogConfig, 'pidFile' | 'root'> & Partial<Pick<WatchdogConfig, 'logFile'>>,
): DaemonSpec {
  return {
    name: 'watchdog run',
    root: config.root,
    pidFile: config.pidFile,
    logFile: config.logFile ?? `${config.pidFile}.log`,
    words: WATCHDOG_RUN_WORDS,
  };
}

/**
 * The running `watchdog run` named by the pid file, verified by its command line and its fleet root
 * (a reused pid may belong to the watchdog of another root); else null.
 */
export function runningWatchdog(config: Pick<WatchdogConfig, 'pidFile' | 'root'>): Identity | null {
  const check = checkDaemon(watchdogDaemonSpec(config));
  return check.state === 'running' ? check.target : null;
}

/** For `watchdog run`: write our pid unless another verified `watchdog run` holds the file. */
export function claimWatchdogPidFile(config: Pick<WatchdogConfig, 'pidFile' | 'root'>): Claim {
  return claimPidFile(watchdogDaemonSpec(config));
}

export type StartResult =
  | { status: 'already_running'; pid: number }
  | { status: 'started'; pid: number }
  | { status: 'failed'; pid: number | null; reason: string };

/** Start `watchdog run` in the background (own session, log file) and wait for it to claim its pid file. */
export function startWatchdogDaemon(
  config: WatchdogConfig,
  options: { clock: Clock; command?: readonly string[]; waitMs?: number },
): Promise<StartResult> {
  return startDaemon(watchdogDaemonSpec(config), {
    clock: options.clock,
    command: options.command ?? defaultWatchdogCommand(config.root),
    waitMs: options.waitMs,
  });
}

export type StopResult =
  | { status: 'not_running' }
  | { status: 'stopped'; pid: number; signals: NodeJS.Signals[] }
  | { status: 'failed'; pid: number; reason: string };

/** TERM the verified `watchdog run`, wait `graceMs`, then KILL. An unverified pid is never signalled. */
export async function stopWatchdogDaemon(
  config: Pick<WatchdogConfig, 'pidFile' | 'root'>,
  options: { clock: Clock; graceMs: number },
): Promise<StopResult> {
  const result = await stopDaemon(watchdogDaemonSpec(config), options);
  if (result.status === 'foreign') return { status: 'not_running' };
  if (result.status === 'failed')
    return { status: 'failed', pid: result.pid, reason: result.reason };
  return result;
}
