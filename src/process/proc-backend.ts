// Linux: every fact read from /proc, lazily and once per snapshot.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { pidExists } from './signal.js';
import type { ProcessInfo, ProcessSnapshot, ProcessTable } from './table.js';

/** /proc reports start times in USER_HZ ticks, which Linux fixes at 100 for user space. */
const USER_HZ = 100;

interface Stat {
  state: string;
  ppid: number;
  startTicks: number;
}

function readStat(procDir: string, pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`${procDir}/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0] ?? '?', ppid: Number(rest[1]), startTicks: Number(rest[19]) };
}

function readArgv(procDir: string, pid: number): string[] {
  try {
    const argv = readFileSync(`${procDir}/${pid}/cmdline`, 'utf8').split('\0');
    if (argv.at(-1) === '') argv.pop();
    return argv;
  } catch {
    return [];
  }
}

function readUptimeSec(procDir: string): number | null {
  try {
    const uptime = Number(readFileSync(`${procDir}/uptime`, 'utf8').split(' ')[0]);
    return Number.isFinite(uptime) ? uptime : null;
  } catch {
    return null;
  }
}

/** argv is read only when asked for: walking descendants needs just pid and ppid. */
class ProcEntry implements ProcessInfo {
  private cachedArgv: string[] | null = null;
  constructor(
    private readonly procDir: string,
    readonly pid: number,
    private readonly stat: Stat | null,
    private readonly uptimeSec: () => number | null,
    private readonly takenAtMs: number,
  ) {}
  get ppid(): number {
    return this.stat?.ppid ?? 0;
  }
  get argv(): readonly string[] {
    this.cachedArgv ??= readArgv(this.procDir, this.pid);
    return this.cachedArgv;
  }
  get commandLine(): string {
    return this.argv.join(' ');
  }
  get start(): string | null {
    return this.stat && Number.isFinite(this.stat.startTicks)
      ? `proc:${this.stat.startTicks}`
      : null;
  }
  get startedAtMs(): number | null {
    const uptime = this.uptimeSec();
    if (!this.stat || uptime === null || !Number.isFinite(this.stat.startTicks)) return null;
    return Math.round(this.takenAtMs - Math.max(0, uptime - this.stat.startTicks / USER_HZ) * 1000);
  }
}

class ProcSnapshot implements ProcessSnapshot {
  readonly backend = 'proc' as const;
  private readonly entries = new Map<number, ProcEntry | null>();
  private uptime: number | null | undefined;
  private readonly takenAtMs = Date.now();
  constructor(private readonly procDir: string) {}

  private uptimeSec = (): number | null => {
    if (this.uptime === undefined) this.uptime = readUptimeSec(this.procDir);
    return this.uptime;
  };

  get(pid: number): ProcessInfo | null {
    if (!Number.isInteger(pid) || pid <= 0) return null;
    if (!this.entries.has(pid)) {
      const stat = readStat(this.procDir, pid);
      let entry: ProcEntry | null = null;
      // No stat but the pid exists: /proc is mounted with hidepid. Alive, facts unknown.
      if (stat ? stat.state !== 'Z' : pidExists(pid))
        entry = new ProcEntry(this.procDir, pid, stat, this.uptimeSec, this.takenAtMs);
      this.entries.set(pid, entry);
    }
    return this.entries.get(pid) ?? null;
  }

  list(): ProcessInfo[] {
    let names: string[];
    try {
      names = readdirSync(this.procDir);
    } catch {
      return [];
    }
    const out: ProcessInfo[] = [];
    for (const name of names) {
      if (!/^\d+$/.test(name)) continue;
      const info = this.get(Number(name));
      if (info) out.push(info);
    }
    return out;
  }

  cwd(pid: number): string | null {
    try {
      return readlinkSync(`${this.procDir}/${pid}/cwd`);
    } catch {
      return null;
    }
  }

  envVar(pid: number, name: string): string | null | undefined {
    let text: string;
    try {
      text = readFileSync(`${this.procDir}/${pid}/environ`, 'utf8');
    } catch {
      // Another user's process: its environment is not ours to read, which is not "unset".
      return undefined;
    }
    const entry = text.split('\0').find((e) => e.startsWith(`${name}=`));
    return entry === undefined ? null : entry.slice(name.length + 1);
  }
}

export function procTable(procDir = '/proc'): ProcessTable {
  return { name: 'proc', snapshot: () => new ProcSnapshot(procDir) };
}
