// Which laneguard command a process runs, and which fleet root it serves.
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { ProcessInfo, ProcessSnapshot } from './table.js';

/** laneguard's own command line: node …/main.js (or the laneguard bin) … <command words…> */
export function isLaneguardCommand(
  argv: readonly string[] | null,
  words: readonly string[],
): boolean {
  if (!argv) return false;
  const isLaneguard = argv.some((a) => /(^|\/)(main\.js|laneguard)$/.test(a));
  let i = 0;
  for (const a of argv) if (a === words[i]) i++;
  return isLaneguard && i === words.length;
}

/** Whether two paths name the same directory (symlinks resolved where possible). */
export function sameDirectory(a: string, b: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return real(a) === real(b);
}

function rootArgument(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--root' && i + 1 < argv.length) return argv[i + 1]!;
    if (a.startsWith('--root=')) return a.slice('--root='.length);
  }
  return null;
}

export type ServesRoot = 'yes' | 'no' | 'unknown';

/**
 * Does this laneguard process work on `root`? Resolved as the CLI resolves it: `--root`, else
 * LANEGUARD_ROOT, else its working directory. 'unknown' when the backend cannot tell (ps cannot read
 * environments; a cwd needs lsof): callers count that as ours, never as "not running".
 */
export function servesRoot(info: ProcessInfo, root: string, snap: ProcessSnapshot): ServesRoot {
  // ps splits argv on whitespace: look for the expected root in the joined command line first.
  for (const form of [`--root ${root}`, `--root=${root}`]) {
    const at = info.commandLine.indexOf(form);
    const after = info.commandLine[at + form.length];
    if (at >= 0 && (after === undefined || after === ' ')) return 'yes';
  }
  let given = rootArgument(info.argv);
  if (given === null) {
    const fromEnv = snap.envVar(info.pid, 'LANEGUARD_ROOT');
    if (fromEnv === undefined) return 'unknown';
    given = fromEnv || null;
  }
  if (given !== null && path.isAbsolute(given)) {
    if (sameDirectory(given, root)) return 'yes';
    // From ps, a root with a space in it arrives cut at the space: a path that does not exist.
    return snap.backend === 'ps' && !existsSync(given) ? 'unknown' : 'no';
  }
  const cwd = snap.cwd(info.pid);
  if (cwd === null) return 'unknown';
  return sameDirectory(given === null ? cwd : path.resolve(cwd, given), root) ? 'yes' : 'no';
}
