// One pid-file daemon helper: `serve` and `watchdog run` are two configurations of it.
import { closeSync, fstatSync, openSync, readSync, rmSync } from 'node:fs';
import type { Clock } from '../util/clock.js';
import type { Identity } from './facts.js';
import { isLaneguardCommand, servesRoot } from './laneguard.js';
import { readPid, readPidFile, writePid } from './pidfile.js';
import { snapshot } from './select.js';
import { spawnDetached } from './spawn.js';
import type { ProcessInfo, ProcessSnapshot } from './table.js';
import { terminateVerified } from './terminate.js';

export interface DaemonSpec {
  /** For messages: `serve`, `watchdog run`. */
  name: string;
  root: string;
  pidFile: string;
  logFile: string;
  /** The laneguard command words the daemon runs (`['serve']`, `['watchdog', 'run']`). */
  words: readonly string[];
}

export type DaemonCheck =
  | { state: 'running'; pid: number; target: Identity }
  | { state: 'not_running'; pid: number | null }
  /** The pid file names a live process that is not this daemon for this root (a reused pid). */
  | { state: 'foreign'; pid: number; commandLine: string };

/**
 * The daemon's identity test, used before every signal: laneguard running the daemon's words, for
 * this root. A root the backend cannot tell (ps) counts as ours: the pid file is under that root.
 */
export function isDaemonProcess(
  spec: Pick<DaemonSpec, 'words' | 'root'>,
): (info: ProcessInfo, snap: ProcessSnapshot) => boolean {
  return (info, snap) =>
    isLaneguardCommand(info.argv, spec.words) && servesRoot(info, spec.root, snap) !== 'no';
}

/** What the pid file names. */
export function checkDaemon(spec: DaemonSpec, snap: ProcessSnapshot = snapshot()): DaemonCheck {
  const pid = readPid(spec.pidFile);
  if (pid === null) return { state: 'not_running', pid: null };
  const info = snap.get(pid);
  if (!info) return { state: 'not_running', pid };
  if (!isDaemonProcess(spec)(info, snap))
    return { state: 'foreign', pid, commandLine: info.commandLine };
  return { state: 'running', pid, target: { pid, start: info.start } };
}

export type Claim =
  { ok: true; release: () => void; stillOurs: () => boolean } | { ok: false; pid: number };

/** For the daemon itself: write our pid unless another verified instance holds the file. */
export function claimPidFile(spec: DaemonSpec): Claim {
  const other = checkDaemon(spec);
  if (other.state === 'running' && other.pid !== process.pid) return { ok: false, pid: other.pid };
  writePid(spec.pidFile);
  const stillOurs = (): boolean => readPid(spec.pidFile) === process.pid;
  return {
    ok: true,
    stillOurs,
    release: () => (stillOurs() ? rmSync(spec.pidFile, { force: true }) : undefined),
  };
}

/** The last `bytes` of a log, read from its end: a daemon's log can be any size. */
function logTail(file: string, bytes: number): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(size, bytes));
    const n = readSync(fd, buf, 0, buf.length, size - buf.length);
    return buf.toString('utf8', 0, n).trim();
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}

export type DaemonStart =
  | { status: 'already_running'; pid: number }
  | { status: 'started'; pid: number }
  /** `exited`: the daemon ended during start-up; `logTail` is the end of its log then. */
  | { status: 'failed'; pid: number | null; reason: string; exited?: boolean; logTail?: string };

/** Start the daemon detached (own session, log file) and wait until it has claimed its pid file. */
export async function startDaemon(
  spec: DaemonSpec,
  options: { command: readonly string[]; clock: Clock; waitMs?: number; env?: NodeJS.ProcessEnv },
): Promise<DaemonStart> {
  const { clock } = options;
  const before = checkDaemon(spec);
  if (before.state === 'running') return { status: 'already_running', pid: before.pid };
  const spawned = await spawnDetached(options.command, {
    cwd: spec.root,
    logFile: spec.logFile,
    env: options.env,
    banner: `--- ${clock.now().toISOString()} starting ${JSON.stringify(options.command)}`,
  });
  if (!spawned.ok) return { status: 'failed', pid: null, reason: spawned.error };
  const waitMs = options.waitMs ?? 15_000;
  const deadline = clock.now().getTime() + waitMs;
  for (;;) {
    await clock.sleep(100);
    const now = checkDaemon(spec);
    const exit = spawned.exit();
    // A launcher may hand over to another pid; a different pid after our child exited is another
    // supervisor's daemon, started meanwhile (ours stepped aside for it).
    if (now.state === 'running')
      return {
        status: now.pid === spawned.pid || !exit ? 'started' : 'already_running',
        pid: now.pid,
      };
    if (exit) {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      const tail = logTail(spec.logFile, 2000);
      return {
        status: 'failed',
        pid: spawned.pid,
        exited: true,
        logTail: tail,
        reason: `${spec.name} exited during start-up (${how}); ${spec.logFile} ends with:\n${tail}`,
      };
    }
    if (clock.now().getTime() >= deadline) {
      return {
        status: 'failed',
        pid: spawned.pid,
        reason: `${spec.name} (pid ${spawned.pid}) did not write ${spec.pidFile} within ${waitMs / 1000}s; see ${spec.logFile}`,
      };
    }
  }
}

export type DaemonStop =
  | { status: 'not_running' }
  | { status: 'foreign'; pid: number; commandLine: string }
  | { status: 'stopped'; pid: number; signals: NodeJS.Signals[] }
  | { status: 'failed'; pid: number; signals: NodeJS.Signals[]; reason: string };

/** TERM the verified daemon, wait `graceMs`, then KILL. A pid file naming anything else is left alone. */
export async function stopDaemon(
  spec: DaemonSpec,
  options: { clock: Clock; graceMs: number },
): Promise<DaemonStop> {
  const check = checkDaemon(spec);
  if (check.state === 'foreign')
    return { status: 'foreign', pid: check.pid, commandLine: check.commandLine };
  if (check.state !== 'running') return { status: 'not_running' };
  const result = await terminateVerified(check.target, {
    graceMs: options.graceMs,
    clock: options.clock,
    matches: isDaemonProcess(spec),
  });
  if (!result.ok)
    return {
      status: 'failed',
      pid: check.pid,
      signals: result.signals,
      reason: result.reason ?? 'did not stop',
    };
  // A killed daemon could not remove its pid file; a stopped one already did.
  const left = readPidFile(spec.pidFile);
  if (left.kind === 'ok' && left.pid === check.pid) rmSync(spec.pidFile, { force: true });
  return { status: 'stopped', pid: check.pid, signals: result.signals };
}
