// `laneguard start|stop|status`: `serve` in the background, one configuration of src/process's
// pid-file daemon helper (the watchdog is the other).
import type { LoadedConfig } from '../config/load.js';
import {
  checkDaemon,
  processAgeSec,
  startDaemon as startPidFileDaemon,
  stopDaemon as stopPidFileDaemon,
  type DaemonSpec,
} from '../process/index.js';
import { readJson } from '../store/atomic.js';
import { systemClock, type Clock } from '../util/clock.js';
import { SERVE_NODE_FLAGS } from './node-flags.js';

export const SERVE_WORDS = ['serve'] as const;

export function serveDaemonSpec(config: Pick<LoadedConfig, 'root' | 'paths'>): DaemonSpec {
  return {
    name: 'serve',
    root: config.root,
    pidFile: config.paths.pid,
    logFile: config.paths.log,
    words: SERVE_WORDS,
  };
}

/**
 * How `laneguard start` runs serve: this node, with serve's heap settings (node-flags.ts), except
 * those the operator's NODE_OPTIONS sets (`NODE_OPTIONS=--max-old-space-size=2048 laneguard start`:
 * a flag on the command line would win over it).
 */
export function serveCommand(
  mainScript: string,
  root: string,
  serveArgs: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const operator = new Set(
    (env.NODE_OPTIONS ?? '').split(/\s+/).map((option) => option.split('=')[0]!.replace(/_/g, '-')),
  );
  const flags = SERVE_NODE_FLAGS.filter((flag) => !operator.has(flag.split('=')[0]!));
  return [process.execPath, ...flags, mainScript, '--root', root, 'serve', ...serveArgs];
}

export interface StartResult {
  started: boolean;
  pid: number | null;
  message: string;
}

export async function startDaemon(
  config: LoadedConfig,
  mainScript: string,
  waitMs = 15_000,
  serveArgs: readonly string[] = [],
  clock: Clock = systemClock,
): Promise<StartResult> {
  const command = serveCommand(mainScript, config.root, serveArgs);
  const result = await startPidFileDaemon(serveDaemonSpec(config), { command, clock, waitMs });
  if (result.status === 'already_running')
    return { started: false, pid: result.pid, message: `already running (pid ${result.pid})` };
  if (result.status === 'started')
    return {
      started: true,
      pid: result.pid,
      message: `started (pid ${result.pid}), log ${config.paths.log}`,
    };
  if (!result.exited) return { started: false, pid: result.pid, message: result.reason };
  // serve's own one-line error (a taken port, a config error) is the last `laneguard:` line it logged.
  const tail = result.logTail ?? '';
  const reason = tail
    .split('\n')
    .filter((l) => l.startsWith('laneguard:') || l.startsWith('  '))
    .slice(-3)
    .join('\n');
  return {
    started: false,
    pid: null,
    message: reason
      ? `serve exited during start-up: ${reason.replace(/^laneguard: /, '')} (log ${config.paths.log})`
      : `serve exited during start-up; last log lines:\n${tail}`,
  };
}

export interface StopResult {
  stopped: boolean;
  killed: boolean;
  message: string;
}

export async function stopDaemon(
  config: LoadedConfig,
  graceMs: number,
  clock: Clock = systemClock,
): Promise<StopResult> {
  const result = await stopPidFileDaemon(serveDaemonSpec(config), { clock, graceMs });
  switch (result.status) {
    case 'foreign':
      return {
        stopped: false,
        killed: false,
        message: `pid file names pid ${result.pid}, which is not laneguard serve; not signalling it (remove ${config.paths.pid} if stale)`,
      };
    case 'not_running':
      return { stopped: true, killed: false, message: 'not running' };
    case 'failed':
      return {
        stopped: false,
        killed: result.signals.includes('SIGKILL'),
        message: `did not stop within ${graceMs / 1000}s: ${result.reason}`,
      };
    case 'stopped': {
      const killed = result.signals.includes('SIGKILL');
      return {
        stopped: true,
        killed,
        message: killed
          ? `did not stop within ${graceMs / 1000}s; killed (pid ${result.pid})`
          : `stopped (pid ${result.pid})`,
      };
    }
  }
}

export interface DaemonStatus {
  running: boolean;
  pid: number | null;
  pid_file: string;
  foreign_pid: boolean;
  uptime_sec: number | null;
  last_cycle_at: string | null;
  consecutive_idle_cycles: number | null;
  anomalies: string[];
  log_file: string;
}

export function daemonStatus(config: LoadedConfig): DaemonStatus {
  const check = checkDaemon(serveDaemonSpec(config));
  const state = readJson(config.paths.state);
  const s =
    state.status === 'ok'
      ? (state.value as {
          last_cycle_at?: string;
          consecutive_idle_cycles?: number;
          active_anomalies?: string[];
        })
      : {};
  const age = check.state === 'running' ? processAgeSec(check.pid, new Date()) : null;
  return {
    running: check.state === 'running',
    pid: check.state === 'running' ? check.pid : null,
    pid_file: config.paths.pid,
    foreign_pid: check.state === 'foreign',
    uptime_sec: age === null ? null : Math.round(age),
    last_cycle_at: s.last_cycle_at ?? null,
    consecutive_idle_cycles: s.consecutive_idle_cycles ?? null,
    anomalies: s.active_anomalies ?? [],
    log_file: config.paths.log,
  };
}
