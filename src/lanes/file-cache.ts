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
import { formatBytes } from '../store/bounded-read.js';
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
  /** The directory the file is in (kept: computing it again for every pass allocates). */
  dir: string;
  /** Identity of a present file: inode, size, mtime. */
  ino: number;
  size: number;
  mtimeMs: number;
  /** For an absent file, the token of its directory when it was found absent. */
  dirToken: string | null;
  hot: boolean;
  pass: number;
}

interface DirState {
  token: string;
  hot: boolean;
}

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const NO_THROW = { throwIfNoEntry: false } as const;

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
  /** Entries per parser, then per file. */
  private readonly entries = new Map<Parser<unknown>, Map<string, Entry>>();
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
    for (const byFile of this.entries.values())
      for (const [file, entry] of byFile) if (entry.pass !== this.pass) byFile.delete(file);
    this.dirs = new Map();
  }

  get<T>(file: string, parser: Parser<T>): FileRead<T> {
    let byFile = this.entries.get(parser as Parser<unknown>);
    if (!byFile) this.entries.set(parser as Parser<unknown>, (byFile = new Map()));
    const entry = byFile.get(file);
    if (entry) {
      entry.pass = this.pass;
      // Still absent while the directory has not changed: no stat of the file at all.
      if (
        entry.dirToken !== null &&
        !entry.hot &&
        this.dirState(entry.dir).token === entry.dirToken
      )
        return entry.result as FileRead<T>;
    }
    this.counters.stats++;
    let stat: Stats | undefined;
    try {
      stat = statSync(file, NO_THROW);
    } catch (err) {
      return this.store(
        byFile,
        file,
        entry,
        {
          state: 'error',
          error: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
          version: 0,
        },
        null,
        true,
      );
    }
    if (stat === undefined) {
      const dir = this.dirState(entry?.dir ?? path.dirname(file));
      return this.store(byFile, file, entry, { state: 'absent' }, null, dir.hot, dir.token);
    }
    if (
      entry &&
      !entry.hot &&
      entry.dirToken === null &&
      entry.result.state !== 'absent' &&
      entry.ino === stat.ino &&
      entry.size === stat.size &&
      entry.mtimeMs === stat.mtimeMs
    ) {
      return entry.result as FileRead<T>;
    }
    return this.read(byFile, file, entry, parser);
  }

  private read<T>(
    byFile: Map<string, Entry>,
    file: string,
    entry: Entry | undefined,
    parser: Parser<T>,
  ): FileRead<T> {
    this.counters.reads++;
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Deleted between the stat and the open: absent, and checked again next pass.
      if (code === 'ENOENT')
        return this.store(byFile, file, entry, { state: 'absent' }, null, true, 'vanished');
      return this.store(
        byFile,
        file,
        entry,
        { state: 'error', error: `cannot read ${file}: ${code ?? String(err)}`, version: 0 },
        null,
        true,
      );
    }
    try {
      // The identity comes from the open file, so content and identity belong together; a write
      // after this fstat changes the mtime and is read next pass.
      const stat = fstatSync(fd);
      const hot = isHot(stat.mtimeMs, this.wallMs());
      if (!stat.isFile())
        return this.store(
          byFile,
          file,
          entry,
          { state: 'error', error: `${file} is not a regular file`, version: 0 },
          stat,
          hot,
        );
      const cap = parser.maxBytes ?? DEFAULT_MAX_BYTES;
      // Over the cap is not a lane file laneguard can use: say so rather than parse a cut copy.
      if (stat.size > cap)
        return this.store(
          byFile,
          file,
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
      return this.store(byFile, file, entry, result, stat, hot);
    } catch (err) {
      return this.store(
        byFile,
        file,
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
    byFile: Map<string, Entry>,
    file: string,
    old: Entry | undefined,
    result: FileRead<unknown>,
    stat: Stats | null,
    hot: boolean,
    dirToken: string | null = null,
  ): FileRead<T> {
    // Every new value gets a new version, so callers can memoise what they derive from it.
    if (result.state !== 'absent') result.version = ++this.version;
    byFile.set(file, {
      result,
      dir: old?.dir ?? path.dirname(file),
      ino: stat?.ino ?? -1,
      size: stat?.size ?? -1,
      mtimeMs: stat?.mtimeMs ?? -1,
      dirToken: result.state === 'absent' ? dirToken : null,
      hot,
      pass: this.pass,
    });
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
      stat = statSync(dir, NO_THROW);
    } catch {
      stat = undefined;
    }
    if (stat)
      state = {
        token: `${dir}:${stat.ino}:${stat.mtimeMs}`,
        hot: isHot(stat.mtimeMs, this.wallMs()),
      };
    else {
      const parent = path.dirname(dir);
      const up = parent === dir ? { token: 'none', hot: false } : this.dirState(parent);
      state = { token: `missing:${up.token}`, hot: up.hot };
    }
    this.dirs.set(dir, state);
    return state;
  }
}
