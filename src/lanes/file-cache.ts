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
// held for more than a few milliseconds. On large fleets a helper thread takes half of a pass's
// stats ahead of it (stat-prefetch.ts).
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { formatBytes } from '../store/bounded-read.js';
import path from 'node:path';
import { NOT_TAKEN, StatPlanner, type FileIdentity, type Prefetch } from './stat-prefetch.js';

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
  parser: Parser<unknown>;
  /** The same file read by another parser (rare: a file read two ways). */
  next: Entry | null;
  result: FileRead<unknown>;
  /** The directory the file is in. */
  dir: Dir;
  /** Where the file's stat was in the last pass's list of stats (a hint for the prefetch). */
  slot: number;
  /** Identity of a present file: inode, size, mtime. */
  ino: number;
  size: number;
  mtimeMs: number;
  /** For an absent file, its directory as it was when the file was found absent. */
  dirSeen: DirState | null;
  hot: boolean;
  pass: number;
}

/**
 * A directory's identity in one pass: inode and mtime, or, for a missing directory, those of its
 * nearest existing ancestor and how many levels up that is.
 */
interface DirState {
  ino: number;
  mtimeMs: number;
  missingLevels: number;
  hot: boolean;
}

/** A directory the cache's files are in, shared by their entries; its state is taken once a pass. */
interface Dir {
  path: string;
  parent: Dir | null | undefined;
  /** The pass `state` was taken in. */
  pass: number;
  state: DirState;
  slot: number;
}

const sameDir = (a: DirState, b: DirState): boolean =>
  a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.missingLevels === b.missingLevels;

/** Deleted between its stat and its open: never the same as any directory state, so looked at again. */
const VANISHED: DirState = { ino: NaN, mtimeMs: NaN, missingLevels: 0, hot: true };
/** Above the file system's root. */
const NO_DIR: DirState = { ino: -1, mtimeMs: -1, missingLevels: 0, hot: false };

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const NO_THROW = { throwIfNoEntry: false } as const;

function isHot(mtimeMs: number, wallMs: number): boolean {
  // A timestamp in the future (clock step, another host's clock) is never trusted as settled.
  return wallMs - mtimeMs < HOT_WINDOW_MS;
}

export interface FileCacheCounters {
  passes: number;
  /** Stats a pass needed (of files and directories), inline or taken ahead by the helper thread. */
  stats: number;
  /** Of those, the ones the helper thread took. */
  prefetched: number;
  reads: number;
}

export interface FileCacheOptions {
  /** The real wall clock: file timestamps are wall time, whatever clock the caller injects. */
  wallMs?: () => number;
  /** Passes needing at least this many stats share them with a helper thread (tests lower it). */
  prefetchMinPaths?: number;
}

export class FileCache {
  /** Entries per file (one per parser that reads it). */
  private readonly entries = new Map<string, Entry>();
  private entryCount = 0;
  /** Entries asked for in this pass: when it is all of them, the end of the pass forgets none. */
  private seenInPass = 0;
  private dirs = new Map<string, Dir>();
  private pass = 0;
  /** Wall time at the start of the pass: directory stats may be taken any time after it. */
  private passWallMs = 0;
  private version = 0;
  private readonly planner: StatPlanner;
  private prefetch: Prefetch | null = null;
  private lastSlot = -1;
  private readonly wallMs: () => number;
  readonly counters: FileCacheCounters = { passes: 0, stats: 0, prefetched: 0, reads: 0 };

  constructor(options: FileCacheOptions | (() => number) = {}) {
    const opts = typeof options === 'function' ? { wallMs: options } : options;
    this.wallMs = opts.wallMs ?? Date.now;
    this.planner = new StatPlanner(opts.prefetchMinPaths);
  }

  /** Start a pass: directory states are taken once per pass. */
  beginPass(): void {
    this.pass++;
    this.counters.passes++;
    this.seenInPass = 0;
    this.passWallMs = this.wallMs();
    this.prefetch = this.planner.begin();
  }

  /** Forget files not asked for in this pass (lanes that left the fleet). */
  endPass(): void {
    this.prefetch?.end();
    this.prefetch = null;
    this.planner.end();
    if (this.seenInPass < this.entryCount) this.forgetUnseen();
  }

  private forgetUnseen(): void {
    const dirs = new Map<string, Dir>();
    for (const [file, head] of this.entries) {
      let kept: Entry | null = null;
      for (let entry: Entry | null = head; entry !== null;) {
        const next: Entry | null = entry.next;
        if (entry.pass === this.pass) {
          entry.next = kept;
          kept = entry;
          for (let d: Dir | null | undefined = entry.dir; d && !dirs.has(d.path); d = d.parent)
            dirs.set(d.path, d);
        } else this.entryCount--;
        entry = next;
      }
      if (kept === null) this.entries.delete(file);
      else this.entries.set(file, kept);
    }
    this.dirs = dirs;
  }

  /**
   * Stat a file or directory for this pass: the helper's result when it has one, else inline.
   * `slot` is where the path was in the last pass's list; the path's slot in this pass is left in
   * `lastSlot`.
   */
  private statPath(file: string, slot: number): FileIdentity | undefined {
    this.counters.stats++;
    this.lastSlot = this.planner.record(file);
    const taken = this.prefetch?.take(file, slot) ?? NOT_TAKEN;
    if (taken !== NOT_TAKEN) {
      this.counters.prefetched++;
      return taken;
    }
    return statSync(file, NO_THROW);
  }

  get<T>(file: string, parser: Parser<T>): FileRead<T> {
    let entry = this.entries.get(file);
    while (entry !== undefined && entry.parser !== parser) entry = entry.next ?? undefined;
    if (entry !== undefined) {
      if (entry.pass !== this.pass) {
        this.seenInPass++;
        entry.pass = this.pass;
      }
      // Still absent while the directory has not changed: no stat of the file at all.
      if (entry.dirSeen !== null && !entry.hot && sameDir(this.dirState(entry.dir), entry.dirSeen))
        return entry.result as FileRead<T>;
    }
    // A stat, not an open, tells whether the file is there: an open of a missing file throws, and
    // an exception costs far more than the system call (most lanes lack most of their files).
    let stat: FileIdentity | undefined;
    try {
      stat = this.statPath(file, entry?.slot ?? -1);
    } catch (err) {
      return this.store(file, parser, entry, this.failed(file, err), null, true);
    }
    if (stat === undefined) {
      const dir = this.dirState(entry?.dir ?? this.dirOf(path.dirname(file)));
      return this.store(file, parser, entry, { state: 'absent' }, null, dir.hot, dir);
    }
    if (
      entry !== undefined &&
      !entry.hot &&
      entry.dirSeen === null &&
      entry.result.state !== 'absent' &&
      entry.ino === stat.ino &&
      entry.size === stat.size &&
      entry.mtimeMs === stat.mtimeMs
    ) {
      entry.slot = this.lastSlot;
      return entry.result as FileRead<T>;
    }
    return this.read(file, parser, entry);
  }

  private failed(file: string, err: unknown): FileRead<unknown> {
    return {
      state: 'error',
      error: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      version: 0,
    };
  }

  /** Read and parse the file; `entry` is what was known of it (none: first seen in this pass). */
  private read<T>(file: string, parser: Parser<T>, entry: Entry | undefined): FileRead<T> {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      // Deleted between the stat and the open: absent, and checked again next pass.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return this.store(file, parser, entry, { state: 'absent' }, null, true, VANISHED);
      return this.store(file, parser, entry, this.failed(file, err), null, true);
    }
    this.counters.reads++;
    try {
      // The identity comes from the open file, so content and identity belong together; a write
      // after this fstat changes the mtime and is read next pass.
      const stat = fstatSync(fd);
      const hot = isHot(stat.mtimeMs, this.wallMs());
      if (!stat.isFile())
        return this.store(
          file,
          parser,
          entry,
          { state: 'error', error: `${file} is not a regular file`, version: 0 },
          stat,
          hot,
        );
      const cap = parser.maxBytes ?? DEFAULT_MAX_BYTES;
      // Over the cap is not a lane file laneguard can use: say so rather than parse a cut copy.
      if (stat.size > cap)
        return this.store(
          file,
          parser,
          entry,
          {
            state: 'error',
            error: `${file} is larger than ${formatBytes(cap)}; not read`,
            version: 0,
          },
          stat,
          hot,
        );
      const buf = Buffer.allocUnsafe(stat.size);
      let filled = 0;
      while (filled < buf.length) {
        const n = readSync(fd, buf, filled, buf.length - filled, filled);
        if (n === 0) break;
        filled += n;
      }
      let result: FileRead<unknown>;
      try {
        result = {
          state: 'present',
          value: parser.parse(buf.toString('utf8', 0, filled), file),
          mtimeMs: stat.mtimeMs,
          size: stat.size,
          version: 0,
        };
      } catch (err) {
        result = { state: 'error', error: (err as Error).message, version: 0 };
      }
      return this.store(file, parser, entry, result, stat, hot);
    } catch (err) {
      return this.store(
        file,
        parser,
        entry,
        { state: 'error', error: `cannot read ${file}: ${(err as Error).message}`, version: 0 },
        null,
        true,
      );
    } finally {
      closeSync(fd);
    }
  }

  private store<T>(
    file: string,
    parser: Parser<T>,
    entry: Entry | undefined,
    result: FileRead<unknown>,
    stat: FileIdentity | null,
    hot: boolean,
    dirSeen: DirState | null = null,
  ): FileRead<T> {
    // Every new value gets a new version, so callers can memoise what they derive from it.
    if (result.state !== 'absent') result.version = ++this.version;
    if (entry === undefined) {
      entry = {
        parser: parser as Parser<unknown>,
        next: this.entries.get(file) ?? null,
        result,
        dir: this.dirOf(path.dirname(file)),
        slot: -1,
        ino: -1,
        size: -1,
        mtimeMs: -1,
        dirSeen: null,
        hot,
        pass: this.pass,
      };
      this.entries.set(file, entry);
      this.entryCount++;
      this.seenInPass++;
    }
    entry.result = result;
    entry.slot = this.lastSlot;
    entry.ino = stat?.ino ?? -1;
    entry.size = stat?.size ?? -1;
    entry.mtimeMs = stat?.mtimeMs ?? -1;
    entry.dirSeen = result.state === 'absent' ? dirSeen : null;
    entry.hot = hot;
    return result as FileRead<T>;
  }

  private dirOf(dirPath: string): Dir {
    let dir = this.dirs.get(dirPath);
    if (dir === undefined) {
      dir = { path: dirPath, parent: undefined, pass: 0, state: NO_DIR, slot: -1 };
      this.dirs.set(dirPath, dir);
    }
    return dir;
  }

  /** A directory's identity for this pass; a missing directory is identified through its parent. */
  private dirState(dir: Dir): DirState {
    if (dir.pass === this.pass) return dir.state;
    let stat: FileIdentity | undefined;
    try {
      stat = this.statPath(dir.path, dir.slot);
    } catch {
      stat = undefined;
    }
    dir.slot = this.lastSlot;
    let state: DirState;
    if (stat)
      // Hot from the start of the pass: the stat may have been taken (by the helper) any time since.
      state = {
        ino: stat.ino,
        mtimeMs: stat.mtimeMs,
        missingLevels: 0,
        hot: isHot(stat.mtimeMs, this.passWallMs),
      };
    else {
      const parentPath = path.dirname(dir.path);
      const up =
        parentPath === dir.path ? NO_DIR : this.dirState((dir.parent ??= this.dirOf(parentPath)));
      state = {
        ino: up.ino,
        mtimeMs: up.mtimeMs,
        missingLevels: up.missingLevels + 1,
        hot: up.hot,
      };
    }
    dir.pass = this.pass;
    dir.state = state;
    return state;
  }
}
