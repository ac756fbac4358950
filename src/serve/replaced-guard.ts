// The guard laneguard replaces must not run next to laneguard on one root: two guards would take
// turns starting and unpausing the same lanes.
import { readdirSync } from 'node:fs';
import { OLD_GUARD_PATTERN } from '../config/watchdog-roles.js';
import { pidAlive, processArgv, processCwd, sameDirectory } from '../util/proc.js';
import { readPid } from './pidfile.js';

export interface ReplacedGuard {
  pid: number;
  cmdline: string;
}

function oldGuardAt(pid: number): ReplacedGuard | null {
  if (!pidAlive(pid)) return null;
  const argv = processArgv(pid);
  const cmdline = argv?.join(' ') ?? '';
  return OLD_GUARD_PATTERN.test(cmdline) ? { pid, cmdline } : null;
}

/**
 * The replaced guard running on `root`: the pid in the guard pid file (the old guard writes the same
 * file), else any process of the old guard whose working directory or command line is the root.
 */
export function replacedGuardRunning(root: string, guardPidFile: string): ReplacedGuard | null {
  const fromFile = readPid(guardPidFile);
  const named = fromFile === null ? null : oldGuardAt(fromFile);
  if (named) return named;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const found = oldGuardAt(Number(entry));
    if (!found) continue;
    const cwd = processCwd(found.pid);
    if ((cwd !== null && sameDirectory(cwd, root)) || found.cmdline.includes(root)) return found;
  }
  return null;
}

/** One line for the operator: which process, and how to stop it. */
export function replacedGuardMessage(found: ReplacedGuard): string {
  const shown = found.cmdline.length > 120 ? `${found.cmdline.slice(0, 119)}…` : found.cmdline;
  return `the guard laneguard replaces is running on this root (pid ${found.pid}: ${shown}); stop it first (\`make local-idle-guard-stop\` in the fleet root, or \`kill ${found.pid}\`), and see \`laneguard migrate\``;
}
