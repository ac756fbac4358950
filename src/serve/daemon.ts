// `laneguard start|stop|status`: the serve daemon in the background, identified by pid AND command line.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { readJson } from '../store/atomic.js';
import { pidAlive, processStartTicks, trySignal } from '../util/proc.js';
import { checkPidFile, type PidCheck } from './pidfile.js';
import { SERVE_WORDS } from './serve.js';

export interface StartResult {
  started: boolean;
  pid: number | null;
  message: string;
}

function tail(file: string, bytes = 2000): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}

export async function startDaemon(config: LoadedConfig, mainScript: string, waitMs = 15_000, serveArgs: readonly string[] = []): Promise<StartResult> {
  const { paths } = config;
  const existing = checkPidFile(paths.pid, SERVE_WORDS, config.root);
  if (existing.running) return { started: false, pid: existing.pid, message: `already running (pid ${existing.pid})` };
  mkdirSync(path.dirname(paths.log), { recursive: true });
  const log = openSync(paths.log, 'a');
  const child = spawn(process.execPath, [mainScript, '--root', config.root, 'serve', ...serveArgs], { detached: true, stdio: ['ignore', log, log], cwd: config.root });
  closeSync(log);
  child.unref();
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    if (child.pid === undefined || !pidAlive(child.pid)) {
      // serve's own one-line error (a taken port, a config error) is the last `laneguard:` line it logged.
      const reason = tail(paths.log).split('\n').filter((l) => l.startsWith('laneguard:') || l.startsWith('  ')).slice(-3).join('\n');
      return { started: false, pid: null, message: reason ? `serve exited during start-up: ${reason.replace(/^laneguard: /, '')} (log ${paths.log})` : `serve exited during start-up; last log lines:\n${tail(paths.log)}` };
    }
    const check = checkPidFile(paths.pid, SERVE_WORDS, config.root);
    if (check.running && check.pid === child.pid) return { started: true, pid: child.pid, message: `started (pid ${child.pid}), log ${paths.log}` };
  }
  return { started: false, pid: child.pid ?? null, message: `serve did not write its pid file within ${waitMs / 1000}s; see ${paths.log}` };
}

export interface StopResult {
  stopped: boolean;
  killed: boolean;
  message: string;
}

export async function stopDaemon(config: LoadedConfig, graceMs: number): Promise<StopResult> {
  const check = checkPidFile(config.paths.pid, SERVE_WORDS, config.root);
  if (check.foreign) return { stopped: false, killed: false, message: `pid file names pid ${check.pid}, which is not laneguard serve; not signalling it (remove ${config.paths.pid} if stale)` };
  if (!check.running || check.pid === null) return { stopped: true, killed: false, message: 'not running' };
  const pid = check.pid;
  const start = processStartTicks(pid);
  const same = (): boolean => pidAlive(pid) && processStartTicks(pid) === start;
  trySignal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!same()) return { stopped: true, killed: false, message: `stopped (pid ${pid})` };
    await new Promise((r) => setTimeout(r, 100));
  }
  if (same()) trySignal(pid, 'SIGKILL');
  for (let i = 0; i < 50 && same(); i++) await new Promise((r) => setTimeout(r, 100));
  return { stopped: !same(), killed: true, message: `did not stop within ${graceMs / 1000}s; killed (pid ${pid})` };
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

function uptimeSec(pid: number): number | null {
  const ticks = processStartTicks(pid);
  if (ticks === null) return null;
  try {
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return Math.max(0, Math.round(uptime - ticks / 100));
  } catch {
    return null;
  }
}

export function daemonStatus(config: LoadedConfig): DaemonStatus {
  const check: PidCheck = checkPidFile(config.paths.pid, SERVE_WORDS, config.root);
  const state = readJson(config.paths.state);
  const s = state.status === 'ok' ? (state.value as { last_cycle_at?: string; consecutive_idle_cycles?: number; active_anomalies?: string[] }) : {};
  return {
    running: check.running,
    pid: check.running ? check.pid : null,
    pid_file: config.paths.pid,
    foreign_pid: check.foreign,
    uptime_sec: check.running && check.pid ? uptimeSec(check.pid) : null,
    last_cycle_at: s.last_cycle_at ?? null,
    consecutive_idle_cycles: s.consecutive_idle_cycles ?? null,
    anomalies: s.active_anomalies ?? [],
    log_file: config.paths.log,
  };
}
