// One-off questions about a pid. Each takes the caller's snapshot, or looks afresh.
import { snapshot } from './select.js';
import { pidExists } from './signal.js';
import { descendantsIn, sameStart, type ProcessInfo, type ProcessSnapshot } from './table.js';

/** A process as first seen: pid plus start, so a pid reused later is never taken for it. */
export interface Identity {
  pid: number;
  start: string | null;
}

/** Without a snapshot, signal 0 answers "gone" before any table is read. */
function look(pid: number, snap?: ProcessSnapshot): ProcessInfo | null {
  if (!snap && !pidExists(pid)) return null;
  return (snap ?? snapshot()).get(pid);
}

/** True when a live (non-zombie) process has this pid. */
export function pidAlive(pid: number, snap?: ProcessSnapshot): boolean {
  return look(pid, snap) !== null;
}

/** argv of a live process, or null. */
export function processArgv(pid: number, snap?: ProcessSnapshot): readonly string[] | null {
  const info = look(pid, snap);
  return info && info.argv.length > 0 ? info.argv : null;
}

/** The command line a process is judged by (argv joined by spaces), or null. */
export function commandLineOf(pid: number, snap?: ProcessSnapshot): string | null {
  const info = look(pid, snap);
  return info && info.commandLine !== '' ? info.commandLine : null;
}

/** pid + start of a live process, or null. */
export function identify(pid: number, snap?: ProcessSnapshot): Identity | null {
  const info = look(pid, snap);
  return info ? { pid, start: info.start } : null;
}

/** The live process of `target` if it is still the one identified (same start), else null. */
export function stillRunning(target: Identity, snap?: ProcessSnapshot): ProcessInfo | null {
  const info = look(target.pid, snap);
  return info && sameStart(target.start, info.start) ? info : null;
}

/** All descendants of a pid (children, grandchildren, …) with their start, in one look. */
export function descendants(pid: number, snap?: ProcessSnapshot): Identity[] {
  return descendantsIn(snap ?? snapshot(), pid).map((p) => ({ pid: p.pid, start: p.start }));
}

/** Seconds since the process started; null when unknown. */
export function processAgeSec(pid: number, now: Date, snap?: ProcessSnapshot): number | null {
  const started = look(pid, snap)?.startedAtMs ?? null;
  return started === null ? null : Math.max(0, (now.getTime() - started) / 1000);
}

/** Live processes whose command line mentions `needle` (not this process). */
export function processesMentioning(needle: string, snap?: ProcessSnapshot): ProcessInfo[] {
  return (snap ?? snapshot())
    .list()
    .filter((p) => p.pid !== process.pid && p.commandLine.includes(needle));
}
