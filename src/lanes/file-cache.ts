// Incremental reads of small files: a file is re-read and re-parsed only when it changed.
//
// A file is unchanged when its inode, size and mtime are the ones seen at the last read, unless it
// was touched within HOT_WINDOW_MS of that read: a file system with coarse timestamps (1 s on
// HFS+, ext3 and many NFS servers, 2 s on FAT) can give a second write in the same tick the same
// mtime, so such a "hot" file is re-read on every pass until its mtime is safely in the past.
//
// An absent file is remembered as absent until its directory changes (inode or mtime: creating,
// deleting or renaming an entry updates the directory's mtime), with the same hot rule for the
// directory. A missing directory is remembered through its parent, so the lanes that never ran cost
// one stat of the runtime directory per pass, not one per file.
//
// The stat calls are synchronous on purpose: for small local files they cost a third of the
// promise API's CPU, and the callers slice their loops (util/slice.ts), so the event loop is never
// held for more than a few milliseconds.
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';

/** Twice the coarsest common mtime resolution (FAT's 2 s would need 2 s; 1 s file systems are covered twice over). */
export const HOT_WINDOW_MS = 2000;

export interface Parser<T> {
  /** Names the parse, so one file read two ways keeps two values. */
  name: string;
  parse: (text: string, file: string) => T;
  /** Read at most this many bytes (default 16 MiB). */
  maxBytes?: number;
}

export type FileRead<T> =
  | { state: 'absent' }
  | { state: 'present'; value: T; mtimeMs: number; size: number; version: number }
  | { state: 'error'; error: string; version: number };

interface Entry {
  result: FileRead<unknown>;
  /** ino:size:mtime of a present file, the directory token of an absent one. */
  signature: string;
  hot: boolean;
  pass: number;
}

interface DirState {
  token: string;
  hot: boolean;
}

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

function isHot(mtimeMs: number, wallMs: number): boolean {
  // A timestamp in the future (clock step, another host's clock) is never trusted as settled.
  return wallMs - mtimeMs < HOT_WINDOW_MS;
}

export interface FileCacheCounters {
  passes: number;
  stats: number;
  reads: number;
}

export class FileCache {
  private readonly entries = new Map<string, Entry>();
  private dirs = new Map<string, DirState>();
  private pass = 0;
  private version = 0;
  readonly counters: FileCacheCounters = { passes: 0, stats: 0, reads: 0 };

  /** `wallMs` is the real wall clock: file timestamps are wall time, whatever clock the caller injects. */
  constructor(private readonly wallMs: () => number = Date.now) {}

  /** Start a pass: directory states are taken once per pass. */
  beginPass(): void {
    this.pass++;
    this.counters.passes++;
    this.dirs = new Map();
  }

  /** Forget files not asked for in this pass (lanes that left the fleet). */
  endPass(): void {
    for (const [key, entry] of this.entries) if (entry.pass !== this.pass) this.entries.delete(key);
    this.dirs = new Map();
  }

  get<T>(file: string, parser: Parser<T>): FileRead<T> {
    const key = `${parser.name}\0${file}`;
    const entry = this.entries.get(key);
    if (entry) entry.pass = this.pass;
    if (entry && !entry.hot && entry.result.state === 'absent') {
      // Still absent while the directory has not changed: no stat of the file at all.
      if (this.dirState(path.dirname(file)).token === entry.signature) return entry.result as FileRead<T>;
    }
    this.counters.stats++;
    let stat: Stats | undefined;
    try {
      stat = statSync(file, { throwIfNoEntry: false });
    } catch (err) {
      return this.store(key, entry, { state: 'error', error: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, version: 0 }, `error:${String(err)}`, true);
    }
    if (stat === undefined) {
      const dir = this.dirState(path.dirname(file));
      if (entry?.result.state === 'absent' && entry.signature === dir.token && !entry.hot && !dir.hot) return entry.result as FileRead<T>;
      return this.store(key, entry, { state: 'absent' }, dir.token, dir.hot);
    }
    const signature = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    if (entry && !entry.hot && entry.signature === signature && entry.result.state !== 'absent') return entry.result as FileRead<T>;
    return this.read(key, entry, file, parser);
  }

  private read<T>(key: string, entry: Entry | undefined, file: string, parser: Parser<T>): FileRead<T> {
    this.counters.reads++;
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Deleted between the stat and the open: absent, and checked again next pass.
      if (code === 'ENOENT') return this.store(key, entry, { state: 'absent' }, 'vanished', true);
      return this.store(key, entry, { state: 'error', error: `cannot read ${file}: ${code ?? String(err)}`, version: 0 }, `error:${code}`, true);
    }
    try {
      // The signature comes from the open file, so content and signature belong together; a write
      // after this fstat changes the mtime and is read next pass.
      const stat = fstatSync(fd);
      const signature = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
      const hot = isHot(stat.mtimeMs, this.wallMs());
      if (!stat.isFile()) return this.store(key, entry, { state: 'error', error: `${file} is not a regular file`, version: 0 }, signature, hot);
      const buf = Buffer.allocUnsafe(Math.min(stat.size, parser.maxBytes ?? DEFAULT_MAX_BYTES));
      let filled = 0;
      while (filled < buf.length) {
        const n = readSync(fd, buf, filled, buf.length - filled, filled);
        if (n === 0) break;
        filled += n;
      }
      let result: FileRead<unknown>;
      try {
        result = { state: 'present', value: parser.parse(buf.toString('utf8', 0, filled), file), mtimeMs: stat.mtimeMs, size: stat.size, version: 0 };
      } catch (err) {
        result = { state: 'error', error: (err as Error).message, version: 0 };
      }
      return this.store(key, entry, result, signature, hot);
    } catch (err) {
      return this.store(key, entry, { state: 'error', error: `cannot read ${file}: ${(err as Error).message}`, version: 0 }, 'error', true);
    } finally {
      closeSync(fd);
    }
  }

  private store<T>(key: string, _old: Entry | undefined, result: FileRead<unknown>, signature: string, hot: boolean): FileRead<T> {
    // Every new value gets a new version, so callers can memoise what they derive from it.
    if (result.state !== 'absent') result.version = ++this.version;
    this.entries.set(key, { result, signature, hot, pass: this.pass });
    return result as FileRead<T>;
  }

  /** A directory's identity for this pass; a missing directory is identified through its parent. */
  private dirState(dir: string): DirState {
    const known = this.dirs.get(dir);
    if (known) return known;
    this.counters.stats++;
    let state: DirState;
    let stat: Stats | undefined;
    try {
      stat = statSync(dir, { throwIfNoEntry: false });
    } catch {
      stat = undefined;
    }
    if (stat) state = { token: `${dir}:${stat.ino}:${stat.mtimeMs}`, hot: isHot(stat.mtimeMs, this.wallMs()) };
    else {
      const parent = path.dirname(dir);
      const up = parent === dir ? { token: 'none', hot: false } : this.dirState(parent);
      state = { token: `missing:${up.token}`, hot: up.hot };
    }
    this.dirs.set(dir, state);
    return state;
  }
}
