import { statSync } from 'node:fs';
import { startDeadline, within } from '../util/deadline.js';
import { processAgeSec, readPidFile, snapshot, type ProcessSnapshot } from '../process/index.js';
import type { HealthSpec, ProcessSpec } from '../config/watchdog.js';
import type { HealthResult, Liveness, Observation } from '../core/watchdog/types.js';

/** Is `pid` alive and is its command line matched by `match`? The only test before any signal. */
export function verifiedIdentity(
  pid: number,
  match: RegExp,
  snap: ProcessSnapshot = snapshot(),
): boolean {
  const info = snap.get(pid);
  return info !== null && info.commandLine !== '' && match.test(info.commandLine);
}

/**
 * Liveness = the pid in the pid file is alive AND its command line matches `match_regex`. One look
 * at the process table answers all of it, so pid, start and command line belong to one process.
 */
export function observeLiveness(pidFile: string, match: RegExp, snap?: ProcessSnapshot): Liveness {
  const read = readPidFile(pidFile);
  if (read.kind === 'missing') return { kind: 'no_pid_file' };
  if (read.kind === 'bad') return { kind: 'bad_pid_file', detail: read.detail };
  const pid = read.pid;
  const look = snap ?? snapshot();
  const info = look.get(pid);
  if (!info || info.commandLine === '') return { kind: 'dead', pid };
  if (!match.test(info.commandLine)) return { kind: 'foreign', pid, cmdline: info.commandLine };
  // A process's age is a wall-clock fact, whatever clock the caller runs on.
  return { kind: 'alive', pid, start: info.start, ageSec: processAgeSec(pid, new Date(), look) };
}

async function checkHttp(url: string, timeoutSec: number): Promise<HealthResult> {
  // A hard deadline (see util/deadline): a health endpoint that never answers must not stall supervision.
  const deadline = startDeadline(timeoutSec * 1000);
  try {
    const res = await within(deadline, fetch(url, { signal: deadline.signal, redirect: 'manual' }));
    res.body?.cancel().catch(() => undefined);
    return res.status >= 200 && res.status < 300
      ? { ok: true }
      : { ok: false, reason: `GET ${url} answered HTTP ${res.status}` };
  } catch (err) {
    const e = err as { name?: string; message?: string; cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      return { ok: false, reason: `GET ${url} timed out after ${timeoutSec}s` };
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
    return {
      ok: false,
      reason: `health file ${file} unreadable (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    };
  }
  const ageSec = (now.getTime() - mtimeMs) / 1000;
  return ageSec <= maxAgeSec
    ? { ok: true }
    : {
        ok: false,
        reason: `health file ${file} is ${Math.round(ageSec)}s old (max_age_sec ${maxAgeSec})`,
      };
}

export function checkHealth(health: HealthSpec, now: Date): Promise<HealthResult> {
  return health.kind === 'http'
    ? checkHttp(health.url, health.timeoutSec)
    : Promise.resolve(checkFile(health.file, health.maxAgeSec, now));
}

/** One look at a process: liveness, then health only when it is alive. No signals, no writes. */
export async function observeProcess(
  spec: ProcessSpec,
  match: RegExp,
  now: () => Date,
  snap?: ProcessSnapshot,
): Promise<Observation> {
  const liveness = observeLiveness(spec.pidFile, match, snap);
  if (liveness.kind !== 'alive' || !spec.health) return { liveness, health: null };
  return { liveness, health: await checkHealth(spec.health, now()) };
}
