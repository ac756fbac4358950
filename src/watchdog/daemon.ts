import { readFileSync, unlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { atomicWriteFile } from '../store/atomic.js';
import { laneguardRootOf, processArgv, processStartTicks, sameDirectory } from '../util/proc.js';
import type { Clock } from '../util/clock.js';
import type { WatchdogConfig } from '../config/watchdog.js';
import { readPidFile, verifiedIdentity } from './observe.js';
import { terminateVerified, type Target } from './signal.js';
import { spawnDetached } from './spawn.js';

/** A `watchdog run` command line: the only process the watchdog's pid file is trusted to name. */
export const WATCHDOG_RUN_MATCH = /(?:^|\s)watchdog\s+run(?:\s|$)/;

/** `laneguard --root ROOT watchdog run`, with this installation's node and entry point. */
export function defaultWatchdogCommand(root: string): string[] {
  return [process.execPath, fileURLToPath(new URL('../main.js', import.meta.url)), '--root', root, 'watchdog', 'run'];
}

/**
 * The running `watchdog run` named by the pid file, verified by its command line and its fleet root
 * (a reused pid may belong to the watchdog of another root); else null.
 */
export function runningWatchdog(config: Pick<WatchdogConfig, 'pidFile' | 'root'>): Target | null {
  const read = readPidFile(config.pidFile);
  if (read.kind !== 'ok') return null;
  const startTicks = processStartTicks(read.pid);
  if (!verifiedIdentity(read.pid, WATCHDOG_RUN_MATCH)) return null;
  const argv = processArgv(read.pid);
  const root = argv ? laneguardRootOf(read.pid, argv) : null;
  return root !== null && sameDirectory(root, config.root) ? { pid: read.pid, startTicks } : null;
}

export type Claim = { ok: true; release: () => void; stillOurs: () => boolean } | { ok: false; pid: number };

/** For `watchdog run`: write our pid unless another verified `watchdog run` holds the file. */
export function claimWatchdogPidFile(config: Pick<WatchdogConfig, 'pidFile' | 'root'>): Claim {
  const other = runningWatchdog(config);
  if (other && other.pid !== process.pid) return { ok: false, pid: other.pid };
  atomicWriteFile(config.pidFile, `${process.pid}\n`);
  const stillOurs = (): boolean => {
    const read = readPidFile(config.pidFile);
    return read.kind === 'ok' && read.pid === process.pid;
  };
  return {
    ok: true,
    stillOurs,
    release: () => {
      if (!stillOurs()) return;
      try {
        unlinkSync(config.pidFile);
      } catch {
        /* already gone */
      }
    },
  };
}

export type StartResult =
  | { status: 'already_running'; pid: number }
  | { status: 'started'; pid: number }
  | { status: 'failed'; pid: number | null; reason: string };

function logTail(file: string, bytes = 600): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-bytes).trim();
  } catch {
    return '';
  }
}

/** Start `watchdog run` in the background (own session, log file) and wait for it to claim its pid file. */
export async function startWatchdogDaemon(
  config: WatchdogConfig,
  options: { clock: Clock; command?: readonly string[]; waitMs?: number },
): Promise<StartResult> {
  const running = runningWatchdog(config);
  if (running) return { status: 'already_running', pid: running.pid };
  const command = options.command ?? defaultWatchdogCommand(config.root);
  const spawned = await spawnDetached(command, {
    cwd: config.root,
    logFile: config.logFile,
    banner: `--- ${options.clock.now().toISOString()} starting ${JSON.stringify(command)}`,
  });
  if (!spawned.ok) return { status: 'failed', pid: null, reason: spawned.error };
  const deadline = options.clock.now().getTime() + (options.waitMs ?? 15_000);
  for (;;) {
    const now = runningWatchdog(config);
    if (now) return { status: 'started', pid: now.pid };
    const exit = spawned.exit();
    if (exit) {
      // It may have stepped aside for a `watchdog run` that another supervisor started meanwhile.
      const other = runningWatchdog(config);
      if (other) return { status: 'already_running', pid: other.pid };
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      return { status: 'failed', pid: spawned.pid, reason: `watchdog run ${how}; ${config.logFile} ends with: ${logTail(config.logFile)}` };
    }
    if (options.clock.now().getTime() >= deadline) {
      return { status: 'failed', pid: spawned.pid, reason: `watchdog run (pid ${spawned.pid}) did not write ${config.pidFile} in time; see ${config.logFile}` };
    }
    await options.clock.sleep(100);
  }
}

export type StopResult =
  | { status: 'not_running' }
  | { status: 'stopped'; pid: number; signals: NodeJS.Signals[] }
  | { status: 'failed'; pid: number; reason: string };

/** TERM the verified `watchdog run`, wait `graceMs`, then KILL. An unverified pid is never signalled. */
export async function stopWatchdogDaemon(config: Pick<WatchdogConfig, 'pidFile' | 'root'>, options: { clock: Clock; graceMs: number }): Promise<StopResult> {
  const target = runningWatchdog(config);
  if (!target) return { status: 'not_running' };
  const result = await terminateVerified(target, WATCHDOG_RUN_MATCH, options.graceMs, options.clock);
  if (!result.ok) return { status: 'failed', pid: target.pid, reason: result.reason ?? 'did not stop' };
  // A killed `run` could not remove its pid file; a stopped one already did.
  const left = readPidFile(config.pidFile);
  if (left.kind === 'ok' && left.pid === target.pid) {
    try {
      unlinkSync(config.pidFile);
    } catch {
      /* already gone */
    }
  }
  return { status: 'stopped', pid: target.pid, signals: result.signals };
}
