// macOS and the BSDs (and any system with a POSIX ps): one `ps` call per snapshot.
import { spawnSync } from 'node:child_process';
import {
  ProcessTableUnavailable,
  type ProcessInfo,
  type ProcessSnapshot,
  type ProcessTable,
} from './table.js';

/**
 * One -o per field: BSD ps reads everything after `=` as the header, so `pid=,ppid=` would not
 * work there. -ww: never cut the command line. lstart prints in the C locale, local time.
 */
export const PS_ARGS = [
  '-A',
  '-ww',
  '-o',
  'pid=',
  '-o',
  'ppid=',
  '-o',
  'stat=',
  '-o',
  'lstart=',
  '-o',
  'args=',
] as const;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LINE =
  /^\s*(\d+)\s+(\d+)\s+(\S+)\s+\S+\s+(\S+)\s+(\d+)\s+(\d+):(\d+):(\d+)\s+(\d+)(?:\s(.*))?$/;

export interface PsRow extends ProcessInfo {
  readonly zombie: boolean;
}

/** Parse `ps` output (PS_ARGS) into rows. Pure; lines it cannot read are skipped. */
export function parsePsOutput(text: string): PsRow[] {
  const rows: PsRow[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const month = MONTHS.indexOf(m[4]!);
    // lstart is local time, as is `new Date(y, m, d, …)`: ps runs with our TZ.
    const startedAtMs =
      month < 0
        ? null
        : new Date(
            Number(m[9]),
            month,
            Number(m[5]),
            Number(m[6]),
            Number(m[7]),
            Number(m[8]),
          ).getTime();
    const commandLine = (m[10] ?? '').trim();
    rows.push({
      pid: Number(m[1]),
      ppid: Number(m[2]),
      zombie: m[3]!.startsWith('Z'),
      argv: commandLine === '' ? [] : commandLine.split(/\s+/),
      commandLine,
      start:
        startedAtMs === null || Number.isNaN(startedAtMs)
          ? null
          : `ps:${Math.round(startedAtMs / 1000)}`,
      startedAtMs: startedAtMs === null || Number.isNaN(startedAtMs) ? null : startedAtMs,
    });
  }
  return rows;
}

/** Parse `lsof -Fn` output for one process's cwd. Pure. */
export function parseLsofCwd(text: string): string | null {
  const line = text.split('\n').find((l) => l.startsWith('n'));
  return line ? line.slice(1) : null;
}

function runPs(program: string): string {
  const result = spawnSync(program, [...PS_ARGS], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30_000,
  });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new ProcessTableUnavailable(
      code === 'ENOENT'
        ? `${program} not found on PATH (LANEGUARD_PROCESS_TABLE=ps needs it)`
        : `${program} failed: ${result.error.message}`,
    );
  }
  if (result.status !== 0)
    throw new ProcessTableUnavailable(
      `${program} ${PS_ARGS.join(' ')} exited with ${result.status ?? result.signal}: ${result.stderr.trim().slice(0, 200)}`,
    );
  return result.stdout;
}

class PsSnapshot implements ProcessSnapshot {
  readonly backend = 'ps' as const;
  private rows: Map<number, PsRow> | null = null;
  private readonly cwds = new Map<number, string | null>();
  constructor(private readonly program: string) {}

  /** Taken at first use: a snapshot nobody asks anything costs nothing. */
  private table(): Map<number, PsRow> {
    this.rows ??= new Map(parsePsOutput(runPs(this.program)).map((r) => [r.pid, r]));
    return this.rows;
  }

  get(pid: number): ProcessInfo | null {
    const row = this.table().get(pid);
    return row && !row.zombie ? row : null;
  }

  list(): ProcessInfo[] {
    return [...this.table().values()].filter((r) => !r.zombie);
  }

  /** ps cannot tell a cwd; lsof can where it is installed (macOS has it). Else null: unknown. */
  cwd(pid: number): string | null {
    if (!this.cwds.has(pid)) {
      const r = spawnSync('lsof', ['-a', '-p', String(pid), '-d', 'cwd', '-Fn'], {
        encoding: 'utf8',
        timeout: 10_000,
      });
      this.cwds.set(pid, r.error || r.status !== 0 ? null : parseLsofCwd(r.stdout));
    }
    return this.cwds.get(pid) ?? null;
  }

  /** ps cannot read another process's environment: unknown, never "unset". */
  envVar(): undefined {
    return undefined;
  }
}

export function psTable(program = 'ps'): ProcessTable {
  return { name: 'ps', snapshot: () => new PsSnapshot(program) };
}
