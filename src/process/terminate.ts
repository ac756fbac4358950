// The one TERM → wait → re-check → KILL path. No signal goes to a pid that is not, at that moment,
// the very process that was verified (same pid, same start, still matching).
import type { Clock } from '../util/clock.js';
import { descendants, type Identity } from './facts.js';
import { snapshot } from './select.js';
import { pidExists, trySignal } from './signal.js';
import { sameStart, type ProcessInfo, type ProcessSnapshot } from './table.js';

export interface TerminateOptions {
  /** Time between TERM and KILL. */
  graceMs: number;
  clock: Clock;
  /** Checked with the start before every signal, e.g. "the command line still matches". */
  matches?: (info: ProcessInfo, snap: ProcessSnapshot) => boolean;
  /** How long to wait after KILL for the process to go (default 5 s). */
  killWaitMs?: number;
}

export interface TerminateResult {
  ok: boolean;
  signals: NodeJS.Signals[];
  reason: string | null;
}

function sameIn(
  snap: ProcessSnapshot,
  target: Identity,
  matches?: TerminateOptions['matches'],
): boolean {
  const info = snap.get(target.pid);
  return info !== null && sameStart(target.start, info.start) && (!matches || matches(info, snap));
}

/** Still the very process we verified: alive, same start, still matching. Signal 0 first: cheap. */
export function stillSameProcess(
  target: Identity,
  matches?: TerminateOptions['matches'],
  snap?: ProcessSnapshot,
): boolean {
  if (!snap && !pidExists(target.pid)) return false;
  return sameIn(snap ?? snapshot(), target, matches);
}

async function waitGone(alive: () => boolean, ms: number, clock: Clock): Promise<boolean> {
  const deadline = clock.now().getTime() + ms;
  for (;;) {
    if (!alive()) return true;
    if (clock.now().getTime() >= deadline) return false;
    await clock.sleep(100);
  }
}

const stuck = (pid: number): string =>
  `pid ${pid} is still running after SIGTERM and SIGKILL (not ours to signal, or stuck in the kernel)`;

/** TERM, wait `graceMs`, KILL — each signal only after proving the pid is still the one verified. */
export async function terminateVerified(
  target: Identity,
  options: TerminateOptions,
): Promise<TerminateResult> {
  const { clock, matches } = options;
  const signals: NodeJS.Signals[] = [];
  const alive = (): boolean => stillSameProcess(target, matches);
  if (!alive()) return { ok: true, signals, reason: null };
  if (trySignal(target.pid, 'SIGTERM')) signals.push('SIGTERM');
  if (await waitGone(alive, options.graceMs, clock)) return { ok: true, signals, reason: null };
  if (trySignal(target.pid, 'SIGKILL')) signals.push('SIGKILL');
  if (await waitGone(alive, options.killWaitMs ?? 5000, clock))
    return { ok: true, signals, reason: null };
  return { ok: false, signals, reason: stuck(target.pid) };
}

/**
 * The same for a whole process tree (a lane and the workers it started): TERM the verified root, its
 * process group and every descendant, wait, then KILL whichever of them — plus anything the root
 * started meanwhile — is still the process first seen. A descendant is identified when first seen,
 * so once its parent is gone it is still found, and a reused pid is still left alone.
 */
export async function terminateTree(
  target: Identity,
  options: TerminateOptions,
): Promise<TerminateResult & { pids: number[] }> {
  const { clock, matches } = options;
  const signals: NodeJS.Signals[] = [];
  if (!stillSameProcess(target, matches)) return { ok: true, signals, reason: null, pids: [] };
  let members: Identity[] = [target, ...descendants(target.pid)];
  const pids = (): number[] => members.map((m) => m.pid);
  // One look per poll for the whole tree (for ps: one call), and none once every pid is gone.
  const anyAlive = (): boolean => {
    if (!members.some((m) => pidExists(m.pid))) return false;
    const snap = snapshot();
    return members.some((m) => sameIn(snap, m));
  };
  const signalAll = (signal: NodeJS.Signals): void => {
    const snap = snapshot();
    const rootSame = sameIn(snap, target, matches);
    // The group of a live verified leader can only be its own: a pid in use is never another group's id.
    let sent = rootSame && trySignal(-target.pid, signal);
    for (const m of members)
      if ((m === target ? rootSame : sameIn(snap, m)) && trySignal(m.pid, signal)) sent = true;
    if (sent) signals.push(signal);
  };
  signalAll('SIGTERM');
  if (await waitGone(anyAlive, options.graceMs, clock))
    return { ok: true, signals, reason: null, pids: pids() };
  if (stillSameProcess(target, matches)) {
    const seen = new Set(members.map((m) => m.pid));
    members = [...members, ...descendants(target.pid).filter((d) => !seen.has(d.pid))];
  }
  signalAll('SIGKILL');
  if (await waitGone(anyAlive, options.killWaitMs ?? 5000, clock))
    return { ok: true, signals, reason: null, pids: pids() };
  const last = snapshot();
  const left = members.find((m) => sameIn(last, m));
  return { ok: false, signals, reason: stuck(left?.pid ?? target.pid), pids: pids() };
}
