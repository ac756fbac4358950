// The other half of mutual supervision: what `serve` calls to keep the watchdog itself alive.
import { statSync } from 'node:fs';
import { ConfigError, ConfigErrors } from '../config/errors.js';
import type { HistoryStore } from '../history/store.js';
import type { Clock } from '../util/clock.js';
import { loadWatchdogConfig, type WatchdogConfig } from '../config/watchdog.js';
import { isDaemonProcess, processAgeSec, terminateVerified } from '../process/index.js';
import {
  runningWatchdog,
  startWatchdogDaemon,
  WATCHDOG_RUN_MATCH,
  watchdogDaemonSpec,
} from './daemon.js';
import { observeLiveness } from './observe.js';
import { backoffDelaySec, describeObservation } from '../core/watchdog/policy.js';

/** Carried by the caller from one call to the next: backoff between restarts of the watchdog. */
export interface SupervisorMemory {
  consecutive_failures: number;
  next_attempt_at: string | null;
}

export interface EnsureWatchdogOptions {
  /** Fleet root; the watchdog config is loaded from it when `config` is not given. */
  root?: string;
  config?: WatchdogConfig;
  clock: Clock;
  /** Where `process_restarted` / `process_restart_failed` (process "watchdog") are recorded. */
  history?: Pick<HistoryStore, 'append'> | null;
  memory?: SupervisorMemory;
  /** Defaults to this installation's `laneguard --root ROOT watchdog run`. */
  command?: readonly string[];
  /** State older than this (and a watchdog older than this) means the watchdog is hung. */
  staleAfterSec?: number;
  random?: () => number;
  /** How long to wait for a restarted watchdog to claim its pid file. */
  startWaitMs?: number;
  /** TERM → KILL grace for a hung watchdog. */
  stopGraceMs?: number;
}

export type EnsureStatus =
  'running' | 'restarted' | 'restart_failed' | 'backoff' | 'not_configured' | 'config_error';

export interface EnsureWatchdogResult {
  status: EnsureStatus;
  restarted: boolean;
  pid: number | null;
  reason: string | null;
  stateAgeSec: number | null;
  memory: SupervisorMemory;
}

const SUPERVISOR_BACKOFF = { initialSec: 10, maxSec: 300, jitterRatio: 0.2 };

/** How long the state file may go unwritten before a live watchdog counts as hung. Pure. */
export function watchdogStaleAfterSec(
  config: Pick<WatchdogConfig, 'intervalSec' | 'processes'>,
): number {
  // A check may legitimately take a stop grace, a KILL wait and a startup grace for one process.
  const longestCheck = Math.max(
    0,
    ...config.processes.map((p) => p.stopGraceSec + 5 + p.startupGraceSec),
  );
  return 2 * config.intervalSec + longestCheck + 30;
}

function ageSec(file: string, now: Date): number | null {
  try {
    return Math.max(0, (now.getTime() - statSync(file).mtimeMs) / 1000);
  } catch {
    return null;
  }
}

function resolveConfig(
  options: EnsureWatchdogOptions,
): WatchdogConfig | { status: 'not_configured' | 'config_error'; reason: string } {
  if (options.config) return options.config;
  if (!options.root)
    return { status: 'config_error', reason: 'ensureWatchdogRunning needs root or config' };
  try {
    return loadWatchdogConfig(options.root);
  } catch (err) {
    if (err instanceof ConfigError && err.code === 'CONFIG_NOT_FOUND')
      return { status: 'not_configured', reason: err.message };
    if (err instanceof ConfigError || err instanceof ConfigErrors)
      return { status: 'config_error', reason: err.message };
    throw err;
  }
}

/**
 * Is `watchdog run` alive (pid file + command line verified) and writing its state? If it is dead,
 * or alive but its state has gone stale (hung: TERM, grace, KILL to the verified pid), start it
 * again detached. Never throws for a missing or bad config: that is a status.
 */
export async function ensureWatchdogRunning(
  options: EnsureWatchdogOptions,
): Promise<EnsureWatchdogResult> {
  const memory = options.memory ?? { consecutive_failures: 0, next_attempt_at: null };
  const resolved = resolveConfig(options);
  if ('status' in resolved)
    return {
      status: resolved.status,
      restarted: false,
      pid: null,
      reason: resolved.reason,
      stateAgeSec: null,
      memory,
    };
  const config = resolved;
  const { clock } = options;
  const now = clock.now();
  const stateAgeSec = ageSec(config.stateFile, now);
  const result = (
    status: EnsureStatus,
    pid: number | null,
    reason: string | null,
    next: SupervisorMemory,
  ): EnsureWatchdogResult => ({
    status,
    restarted: status === 'restarted',
    pid,
    reason,
    stateAgeSec,
    memory: next,
  });

  let reason: string;
  const running = runningWatchdog(config);
  if (running) {
    const staleAfter = options.staleAfterSec ?? watchdogStaleAfterSec(config);
    const processAge = processAgeSec(running.pid, new Date()) ?? Infinity;
    if ((stateAgeSec ?? Infinity) <= staleAfter || processAge <= staleAfter)
      return result('running', running.pid, null, {
        consecutive_failures: 0,
        next_attempt_at: null,
      });
    reason = `hung: ${config.stateFile} not written for ${stateAgeSec === null ? 'ever' : `${Math.round(stateAgeSec)}s`} (limit ${Math.round(staleAfter)}s)`;
    const stopped = await terminateVerified(running, {
      graceMs: options.stopGraceMs ?? 10_000,
      clock,
      matches: isDaemonProcess(watchdogDaemonSpec(config)),
    });
    if (!stopped.ok)
      return result('restart_failed', running.pid, `${reason}; ${stopped.reason}`, memory);
  } else {
    reason =
      describeObservation({
        liveness: observeLiveness(config.pidFile, WATCHDOG_RUN_MATCH),
        health: null,
      }).reason ?? 'not running';
  }

  if (memory.next_attempt_at && Date.parse(memory.next_attempt_at) > now.getTime()) {
    return result('backoff', null, `${reason}; next attempt at ${memory.next_attempt_at}`, memory);
  }
  const started = await startWatchdogDaemon(config, {
    clock,
    command: options.command,
    waitMs: options.startWaitMs,
  });
  if (started.status === 'failed') {
    const failures = memory.consecutive_failures + 1;
    const delay = backoffDelaySec(failures, SUPERVISOR_BACKOFF, (options.random ?? Math.random)());
    const next = {
      consecutive_failures: failures,
      next_attempt_at: new Date(clock.now().getTime() + delay * 1000).toISOString(),
    };
    options.history?.append('process_restart_failed', {
      process: 'watchdog',
      reason,
      error: started.reason,
      consecutive_failures: failures,
      next_attempt_at: next.next_attempt_at,
    });
    return result('restart_failed', started.pid, `${reason}; ${started.reason}`, next);
  }
  // `already_running`: another supervisor (systemd, an operator) started one meanwhile.
  if (started.status === 'already_running')
    return result('running', started.pid, null, { consecutive_failures: 0, next_attempt_at: null });
  options.history?.append('process_restarted', { process: 'watchdog', pid: started.pid, reason });
  return result('restarted', started.pid, reason, {
    consecutive_failures: 0,
    next_attempt_at: null,
  });
}
