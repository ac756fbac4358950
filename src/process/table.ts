/**
 * What laneguard knows about one process, from either backend. A snapshot answers for the moment
 * it was taken; callers take one per cycle or watchdog check and a fresh one when they wait.
 */
export const BACKENDS = ['proc', 'ps'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /**
   * The argument vector. From `ps` it is the command line split on whitespace: ps does not keep
   * argument boundaries, so an argument with a space in it arrives as two.
   */
  readonly argv: readonly string[];
  /** argv joined by single spaces: what lane and watchdog match patterns are tested against. */
  readonly commandLine: string;
  /**
   * Start token: with the pid it names exactly one process, so a pid reused later never passes for
   * the old one. `proc:<ticks since boot>` or `ps:<epoch seconds>`; null when unknown.
   */
  readonly start: string | null;
  /** When the process started (epoch ms, about a second of precision), or null. */
  readonly startedAtMs: number | null;
}

export interface ProcessSnapshot {
  readonly backend: BackendName;
  /** A live process (zombies are dead), or null when there is none with this pid. */
  get(pid: number): ProcessInfo | null;
  /** Every live process. */
  list(): ProcessInfo[];
  /** Working directory; null when this backend cannot tell (ps without lsof) or it is unreadable. */
  cwd(pid: number): string | null;
  /**
   * One variable of the environment the process started with. `undefined` means this backend
   * cannot read environments (ps): the caller must not treat that as "unset".
   */
  envVar(pid: number, name: string): string | null | undefined;
}

export interface ProcessTable {
  readonly name: BackendName;
  snapshot(): ProcessSnapshot;
}

/** Process facts cannot be read here (unsupported platform, or the chosen backend is missing). */
export class ProcessTableUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProcessTableUnavailable';
  }
}

/**
 * Two start tokens of the same pid: different only when both are known and come from the same
 * backend. Tokens of different backends cannot be compared, and an unknown start never makes a
 * live process look like another one.
 */
export function sameStart(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return true;
  const kind = (t: string): string => t.slice(0, t.indexOf(':'));
  if (kind(a) !== kind(b)) return true;
  return a === b;
}

/** Children of every pid in one snapshot: descendants are found without a second look. */
export function descendantsIn(snapshot: ProcessSnapshot, pid: number): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>();
  for (const info of snapshot.list()) {
    const list = children.get(info.ppid) ?? [];
    list.push(info);
    children.set(info.ppid, list);
  }
  const out: ProcessInfo[] = [];
  const queue = [pid];
  const seen = new Set<number>(queue);
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}
