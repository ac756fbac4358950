import { readFileSync, statSync } from 'node:fs';
import { startDeadline, within } from '../util/deadline.js';
import { pidAlive, processArgv, processStartTicks } from '../util/proc.js';
import type { HealthSpec, ProcessSpec } from '../config/watchdog.js';
import type { HealthResult, Liveness, Observation } from './types.js';

/** /proc reports start times in USER_HZ ticks, which Linux fixes at 100 for user space. */
const USER_HZ = 100;

export type PidFileRead = { kind: 'missing' } | { kind: 'bad'; detail: string } | { kind: 'ok'; pid: number };

export function readPidFile(file: string): PidFileRead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { kind: 'missing' } : { kind: 'bad', detail: `cannot read (${code ?? String(err)})` };
  }
  if (!/^\d{1,10}$/.test(text) || Number(text) <= 0) {
    return { kind: 'bad', detail: `content is not a pid: ${JSON.stringify(text.slice(0, 40))}` };
  }
  return { kind: 'ok', pid: Number(text) };
}

/** Seconds since the process started, from /proc; null when unknown. */
export function processAgeSec(pid: number): number | null {
  const ticks = processStartTicks(pid);
  if (ticks === null) return null;
  try {
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return Number.isFinite(uptime) ? Math.max(0, uptime - ticks / USER_HZ) : null;
  } catch {
    return null;
  }
}

/** The command line a process is judged by: argv joined by spaces. */
export function cmdlineOf(pid: number): string | null {
  const argv = processArgv(pid);
  return argv ? argv.join(' ') : null;
}

/** Is `pid` alive and is its command line matched by `match`? The only test before any signal. */
export function verifiedIdentity(pid: number, match: RegExp): boolean {
  if (!pidAlive(pid)) return false;
  const line = cmdlineOf(pid);
  return line !== null && match.test(line);
}

/** Liveness = the pid in the pid file is alive AND its command line matches `match_regex`. */
export function observeLiveness(pidFile: string, match: RegExp): Liveness {
  const read = readPidFile(pidFile);
  if (read.kind === 'missing') return { kind: 'no_pid_file' };
  if (read.kind === 'bad') return { kind: 'bad_pid_file', detail: read.detail };
  const pid = read.pid;
  // Start time before the command line: if the pid is reused in between, the ticks will not match
  // at signal time and nothing is sent.
  const startTicks = processStartTicks(pid);
  if (!pidAlive(pid)) return { kind: 'dead', pid };
  const line = cmdlineOf(pid);
  if (line === null) return { kind: 'dead', pid };
  if (!match.test(line)) return { kind: 'foreign', pid, cmdline: line };
  return { kind: 'alive', pid, startTicks, ageSec: processAgeSec(pid) };
}

async function checkHttp(url: string, timeoutSec: number): Promise<HealthResult> {
  // A hard deadline (see util/deadline): a health endpoint that never answers must not stall supervision.
  const deadline = startDeadline(timeoutSec * 1000);
  try {
    const res = await within(deadline, fetch(url, { signal: deadline.signal, redirect: 'manual' }));
    res.body?.cancel().catch(() => undefined);
    return res.status >= 200 && res.status < 300 ? { ok: true } : { ok: false, reason: `GET ${url} answered HTTP ${res.status}` };
  } catch (err) {
    const e = err as { name?: string; message?: string; cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { ok: false, reason: `GET ${url} timed out after ${timeoutSec}s` };
    return { ok: false, reason: `GET ${url} failed: ${e.cause?.code ?? e.message ?? String(err)}` };
  } finally {
    deadline.clear();
  }
}

function checkFile(file: string, maxAgeSec: number, now: Date): HealthResult {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch (err) {
    return { ok: false, reason: `health file ${file} unreadable (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
  const ageSec = (now.getTime() - mtimeMs) / 1000;
  return ageSec <= maxAgeSec ? { ok: true } : { ok: false, reason: `health file ${file} is ${Math.round(ageSec)}s old (max_age_sec ${maxAgeSec})` };
}

export function checkHealth(health: HealthSpec, now: Date): Promise<HealthResult> {
  return health.kind === 'http' ? checkHttp(health.url, health.timeoutSec) : Promise.resolve(checkFile(health.file, health.maxAgeSec, now));
}

/** One look at a process: liveness, then health only when it is alive. No signals, no writes. */
export async function observeProcess(spec: ProcessSpec, match: RegExp, now: () => Date): Promise<Observation> {
  const liveness = observeLiveness(spec.pidFile, match);
  if (liveness.kind !== 'alive' || !spec.health) return { liveness, health: null };
  return { liveness, health: await checkHealth(spec.health, now()) };
}
