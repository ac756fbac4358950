import { readFileSync, rmSync } from 'node:fs';
import { atomicWriteFile } from '../store/atomic.js';
import { laneguardRootOf, pidAlive, processArgv, sameDirectory } from '../util/proc.js';

export interface PidCheck {
  pid: number | null;
  /** The pid is alive and its command line is the expected daemon: safe to signal. */
  running: boolean;
  /** The pid file names a live process that is NOT the daemon (a reused pid). */
  foreign: boolean;
}

export function readPid(file: string): number | null {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return /^\d{1,10}$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

/** laneguard's own command line: node …/main.js (or the laneguard bin) … <command…> */
export function isLaneguardCommand(argv: readonly string[] | null, words: readonly string[]): boolean {
  if (!argv) return false;
  const isLaneguard = argv.some((a) => /(^|\/)(main\.js|laneguard)$/.test(a));
  let i = 0;
  for (const a of argv) if (a === words[i]) i++;
  return isLaneguard && i === words.length;
}

/**
 * What the pid file names: our daemon only when the pid is alive, its command line is laneguard's
 * `words` command, and it works on `root` (a reused pid may belong to the same daemon of another root).
 */
export function checkPidFile(file: string, words: readonly string[], root: string): PidCheck {
  const pid = readPid(file);
  if (pid === null || !pidAlive(pid)) return { pid, running: false, foreign: false };
  const argv = processArgv(pid);
  const processRoot = argv && isLaneguardCommand(argv, words) ? laneguardRootOf(pid, argv) : null;
  const ours = processRoot !== null && sameDirectory(processRoot, root);
  return { pid, running: ours, foreign: !ours };
}

export function writePid(file: string, pid: number = process.pid): void {
  atomicWriteFile(file, `${pid}\n`);
}

/** Remove the pid file only if it still names this pid (a newer daemon may have replaced it). */
export function removePid(file: string, pid: number = process.pid): void {
  if (readPid(file) === pid) rmSync(file, { force: true });
}
