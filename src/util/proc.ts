import { readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** True when a process with this pid exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readProcStat(pid);
  return stat === null || stat.state !== 'Z';
}

interface ProcStat {
  state: string;
  ppid: number;
  startTicks: number;
}

function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0] ?? '?', ppid: Number(rest[1]), startTicks: Number(rest[19]) };
}

/** argv of a live process, or null when it cannot be read. */
export function processArgv(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const argv = raw.split('\0');
    if (argv.at(-1) === '') argv.pop();
    return argv.length > 0 ? argv : null;
  } catch {
    return null;
  }
}

/** All descendants of a pid (children, grandchildren, …), found through /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(entry));
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Signal without throwing: a process that already exited is not an error. */
export function trySignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Start time of a process in clock ticks since boot: with the pid, it identifies one process. */
export function processStartTicks(pid: number): number | null {
  const stat = readProcStat(pid);
  return stat && Number.isFinite(stat.startTicks) ? stat.startTicks : null;
}

/** The working directory of a live process, or null when it cannot be read. */
export function processCwd(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

/** One variable of a live process's environment (as it started), or null. */
export function processEnvVar(pid: number, name: string): string | null {
  try {
    const entry = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((e) => e.startsWith(`${name}=`));
    return entry === undefined ? null : entry.slice(name.length + 1);
  } catch {
    return null;
  }
}

/**
 * The fleet root a laneguard process works on, resolved as the CLI resolves it: `--root`, else
 * LANEGUARD_ROOT, else its working directory. Null when that cannot be read.
 */
export function laneguardRootOf(pid: number, argv: readonly string[]): string | null {
  let root: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--root' && i + 1 < argv.length) root = argv[i + 1]!;
    else if (a.startsWith('--root=')) root = a.slice('--root='.length);
    if (root !== null) break;
  }
  root ??= processEnvVar(pid, 'LANEGUARD_ROOT') || null;
  const cwd = processCwd(pid);
  if (root === null) return cwd;
  if (path.isAbsolute(root)) return root;
  return cwd === null ? null : path.resolve(cwd, root);
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
