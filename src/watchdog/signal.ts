import { pidAlive, processStartTicks, trySignal } from '../util/proc.js';
import type { Clock } from '../util/clock.js';
import { verifiedIdentity } from './observe.js';

export interface Target {
  pid: number;
  /** Start time seen when the pid was verified; a different one means the pid was reused. */
  startTicks: number | null;
}

export interface TerminateResult {
  ok: boolean;
  signals: NodeJS.Signals[];
  reason: string | null;
}

/** Still the very process we verified: alive, same start time, command line still matching. */
export function stillSameProcess(target: Target, match: RegExp): boolean {
  if (!pidAlive(target.pid)) return false;
  if (target.startTicks !== null && processStartTicks(target.pid) !== target.startTicks) return false;
  return verifiedIdentity(target.pid, match);
}

async function waitGone(target: Target, match: RegExp, ms: number, clock: Clock): Promise<boolean> {
  const deadline = clock.now().getTime() + ms;
  for (;;) {
    if (!stillSameProcess(target, match)) return true;
    if (clock.now().getTime() >= deadline) return false;
    await clock.sleep(100);
  }
}

/**
 * TERM, wait `graceMs`, then KILL — each signal only after proving the pid is still the process we
 * verified, so a pid reused in the meantime is never signalled.
 */
export async function terminateVerified(target: Target, match: RegExp, graceMs: number, clock: Clock): Promise<TerminateResult> {
  const signals: NodeJS.Signals[] = [];
  if (!stillSameProcess(target, match)) return { ok: true, signals, reason: null };
  if (trySignal(target.pid, 'SIGTERM')) signals.push('SIGTERM');
  if (await waitGone(target, match, graceMs, clock)) return { ok: true, signals, reason: null };
  if (!stillSameProcess(target, match)) return { ok: true, signals, reason: null };
  if (trySignal(target.pid, 'SIGKILL')) signals.push('SIGKILL');
  if (await waitGone(target, match, 5000, clock)) return { ok: true, signals, reason: null };
  return { ok: false, signals, reason: `pid ${target.pid} is still running after SIGTERM and SIGKILL (not ours to signal, or stuck in the kernel)` };
}
