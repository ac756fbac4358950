// The stats of one pass of the file cache, in order, with what each found. The list of one pass is
// the plan of the next: the helper thread stats it ahead (stat-prefetch.ts), and a group of files
// (one lane's) whose stats all find what they found last time can be skipped as a whole.
import {
  KIND_ABSENT,
  KIND_ERROR,
  KIND_PRESENT,
  PathList,
  PREFETCH_MIN_PATHS,
  startPrefetch,
  type FileIdentity,
  type Prefetch,
} from './stat-prefetch.js';

/** Per stat: kind, ino, size, mtimeMs. */
const FIELDS = 4;

/** What a group's stats found, to be compared with what they find next time. */
export interface StatsSeen {
  paths: readonly string[];
  /** A plain array: one small typed array per lane costs far more memory than its numbers. */
  found: readonly number[];
}

export class StatLog {
  /** The last pass's stats: the list the helper works on in this pass. */
  private list: PathList | null = null;
  private paths: string[] = [];
  private found = new Float64Array(FIELDS * 1024);

  constructor(private readonly minPaths = PREFETCH_MIN_PATHS) {}

  /** Start a pass: the helper takes the last pass's list when it is long enough. */
  begin(): Prefetch | null {
    this.paths = [];
    const list = this.list;
    return list !== null && list.paths.length >= this.minPaths ? startPrefetch(list) : null;
  }

  get length(): number {
    return this.paths.length;
  }

  /** Record a stat: what it found (`null`: it failed). Returns its slot (next pass's hint). */
  record(file: string, stat: FileIdentity | undefined | null): number {
    const slot = this.paths.push(file) - 1;
    const at = slot * FIELDS;
    if (at + FIELDS > this.found.length) {
      const grown = new Float64Array(this.found.length * 2);
      grown.set(this.found);
      this.found = grown;
    }
    const found = this.found;
    if (stat === undefined) found[at] = KIND_ABSENT;
    else if (stat === null) found[at] = KIND_ERROR;
    else {
      found[at] = KIND_PRESENT;
      found[at + 1] = stat.ino;
      found[at + 2] = stat.size;
      found[at + 3] = stat.mtimeMs;
    }
    return slot;
  }

  /** Forget the stats from `length` on (a group that could not be skipped records them again). */
  truncate(length: number): void {
    this.paths.length = length;
  }

  /** The stats recorded from slot `from` on. */
  since(from: number): StatsSeen {
    // Copied by a plain loop: Array.from walks a typed array through its iterator, several times
    // slower, and a small typed array of its own would cost a backing store per group.
    const start = from * FIELDS;
    const found = new Array<number>(this.paths.length * FIELDS - start);
    for (let i = 0; i < found.length; i++) found[i] = this.found[start + i]!;
    return { paths: this.paths.slice(from), found };
  }

  /** Did the stat found now for the `k`th path of `seen` find exactly what it found then? */
  static same(seen: StatsSeen, k: number, stat: FileIdentity | undefined): boolean {
    const at = k * FIELDS;
    const found = seen.found;
    if (stat === undefined) return found[at] === KIND_ABSENT;
    return (
      found[at] === KIND_PRESENT &&
      found[at + 1] === stat.ino &&
      found[at + 2] === stat.size &&
      found[at + 3] === stat.mtimeMs
    );
  }

  /** End the pass: its stats are the next pass's list (kept as it was when nothing changed). */
  end(): void {
    const log = this.paths;
    this.paths = [];
    const before = this.list?.paths;
    let same = before !== undefined && before.length === log.length;
    for (let i = 0; same && i < log.length; i++) same = log[i] === before![i];
    if (!same) this.list = log.length >= this.minPaths ? new PathList(log) : null;
  }
}
