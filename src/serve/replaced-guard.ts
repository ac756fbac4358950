// The guard laneguard replaces must not run next to laneguard on one root: two guards would take
// turns starting and unpausing the same lanes.
import { OLD_GUARD_PROCESS } from '../config/watchdog-roles.js';
import {
  readPid,
  sameDirectory,
  snapshot,
  type ProcessInfo,
  type ProcessSnapshot,
} from '../process/index.js';

export interface ReplacedGuard {
  pid: number;
  cmdline: string;
}

function oldGuard(info: ProcessInfo | null): ReplacedGuard | null {
  return info && OLD_GUARD_PROCESS.test(info.commandLine)
    ? { pid: info.pid, cmdline: info.commandLine }
    : null;
}

/**
 * The replaced guard running on `root`: the pid in the guard pid file (the old guard writes the same
 * file), else any process of the old guard whose working directory or command line is the root.
 */
export function replacedGuardRunning(
  root: string,
  guardPidFile: string,
  processes: ProcessSnapshot = snapshot(),
): ReplacedGuard | null {
  const fromFile = readPid(guardPidFile);
  const named = fromFile === null ? null : oldGuard(processes.get(fromFile));
  if (named) return named;
  for (const info of processes.list()) {
    if (info.pid === process.pid) continue;
    const found = oldGuard(info);
    if (!found) continue;
    // ps without lsof cannot tell a cwd: then only the command line can name the root.
    const cwd = processes.cwd(found.pid);
    if ((cwd !== null && sameDirectory(cwd, root)) || found.cmdline.includes(root)) return found;
  }
  return null;
}

/** One line for the operator: which process, and how to stop it. */
export function replacedGuardMessage(found: ReplacedGuard): string {
  const shown = found.cmdline.length > 120 ? `${found.cmdline.slice(0, 119)}…` : found.cmdline;
  return `the guard laneguard replaces is running on this root (pid ${found.pid}: ${shown}); stop it first (\`make local-idle-guard-stop\` in the fleet root, or \`kill ${found.pid}\`), and see \`laneguard migrate\``;
}
