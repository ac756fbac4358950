// Incremental reads of small files: a file is re-read and re-parsed only when it changed.
// A file is unchanged when its inode, size and mtime are the ones seen at the last read, unless it
// was touched within HOT_WINDOW_MS of that read: a file system with coarse timestamps (1 s on
// HFS+, ext3 and many NFS servers, 2 s on FAT) can give a second write in the same tick the same
// mtime, so such a "hot" file is re-read on every pass until its mtime is safely in the past.
//
// An absent file is remembered as absent until its directory changes (inode or mtime: creating,
// deleting or renaming an entry updates the directory's mtime), with the same hot rule for the
// directory. A missing directory is remembered through its parent, so the lanes that never ran cost
// one stat of the runtime directory per pass, not one per file. A file looked at for the first time
// is answered by a listing of its directory (cache-dirs.ts): a cold read stats no file.
//
// Files read together (one lane's) can form a group. A group read without a hot or unreadable file,
// whose directories were all stat'ed within it, is skipped as a whole on the next pass when each of
// its stats finds exactly what it found then: nothing of it changed, and its caller reuses what it
// made of it. Any difference, and the group is read file by file as above.
//
// Stats are synchronous (a third of the promise API's CPU for small local files; callers slice
// their loops, util/slice.ts). On large fleets a helper thread takes half of them (stat-prefetch.ts).
import { statSync } from 'node:fs';
import path from 'node:path';
import {
  LISTED_PRESENT,
  LISTED_UNSURE,
  NO_DIR,
  NOTHING_LISTED,
  VANISHED,
  listDir,
  lookUpListed,
  newDir,
  sameDir,
  type Dir,
  type DirState,
  type Listing,
} from './cache-dirs.js';
import { keepSeen, type Entry, type FileGroup } from './cache-entries.js';
import { ABSENT, isHot, readOnce, unreadable, type FileRead, type Parser } from './file-read.js';
import { StatLog } from './stat-log.js';
import { NOT_TAKEN, type FileIdentity, type Prefetch } from './stat-prefetch.js';
export { FileGroup } from './cache-entries.js';
export { HOT_WINDOW_MS, type FileRead, type Parser } from './file-read.js';

const NO_THROW = { throwIfNoEntry: false } as const;

export interface FileCacheCounters {
  passes: number;
  /** Directories listed for first looks (cache-dirs.ts). */
  listings: number;
  /** Stats a pass needed (of files and directories), inline or taken ahead by the helper thread. */
  stats: number;
  /** Of those, the ones the helper thread took. */
  prefetched: number;
  reads: number;
  /** Groups skipped as a whole. */
  skipped: number;
}

export interface FileCacheOptions {
  /** The real wall clock: file timestamps are wall time, whatever clock the caller injects. */
  wallMs?: () => number;
  /** Passes needing at least this many stats share them with a helper thread (tests lower it). */
  prefetchMinPaths?: number;
  /** Told of every directory listed and the names in it (the stray-temp sweep reads them). */
  onListing?: (dir: string, names: readonly string[]) => void;
}

export class FileCache {
  /** Entries per file (one per parser that reads it). */
  private readonly entries = new Map<string, Entry>();
  private entryCount = 0;
  /** Entries asked for in this pass: when it is all of them, the end of the pass forgets none. */
  private seenInPass = 0;
  private dirs = new Map<string, Dir>();
  /** Directories listed in this pass: their listings are dropped at its end. */
  private listed: Dir[] = [];
  private pass = 0;
  /** Wall time at the start of the pass: directory stats may be taken any time after it. */
  private passWallMs = 0;
  private version = 0;
  private readonly log: StatLog;
  private prefetch: Prefetch | null = null;
  private lastSlot = -1;
  /** The group read file by file: where its stats began, entries seen before it, skippable. */
  private group: FileGroup | null = null;
  private groupFrom = 0;
  private groupSeenFrom = 0;
  private groupSkippable = false;
  private readonly wallMs: () => number;
  private readonly onListing: FileCacheOptions['onListing'];
  readonly counters: FileCacheCounters = {
    passes: 0,
    listings: 0,
    stats: 0,
    prefetched: 0,
    reads: 0,
    skipped: 0,
  };

  constructor(options: FileCacheOptions | (() => number) = {}) {
    const opts = typeof options === 'function' ? { wallMs: options } : options;
    this.wallMs = opts.wallMs ?? Date.now;
    this.log = new StatLog(opts.prefetchMinPaths);
    this.onListing = opts.onListing;
  }

  /** Start a pass: directory states are taken once per pass. */
  beginPass(): void {
    this.pass++;
    this.counters.passes++;
    this.seenInPass = 0;
    this.passWallMs = this.wallMs();
    this.prefetch = this.log.begin();
  }

  /** Forget files not asked for in this pass (lanes that left the fleet). */
  endPass(): void {
    this.prefetch?.end();
    this.prefetch = null;
    this.log.end();
    for (const dir of this.listed) dir.listing = null;
    this.listed = [];
    if (this.seenInPass < this.entryCount) {
      const kept = keepSeen(this.entries, this.pass);
      this.entryCount -= kept.forgotten;
      this.dirs = kept.dirs;
    }
  }

  /**
   * Skip `group` when none of its files changed since it was last read: every stat it made then
   * finds the same now. True: skipped, and the caller reuses what it made of the files; false: read
   * them (between `beginGroup` and `endGroup`).
   */
  skip(group: FileGroup): boolean {
    const seen = group.seen;
    if (seen === null || group.pass !== this.pass - 1) return false;
    const from = this.log.length;
    for (let k = 0; k < seen.paths.length; k++) {
      let stat: FileIdentity | undefined;
      try {
        stat = this.statPath(seen.paths[k]!, group.from + k);
      } catch {
        this.log.truncate(from);
        return false;
      }
      if (!StatLog.same(seen, k, stat)) {
        this.log.truncate(from);
        return false;
      }
    }
    group.pass = this.pass;
    group.from = from;
    this.seenInPass += group.entries;
    this.counters.skipped++;
    return true;
  }

  beginGroup(group: FileGroup): void {
    this.group = group;
    this.groupFrom = this.log.length;
    this.groupSeenFrom = this.seenInPass;
    this.groupSkippable = true;
  }

  endGroup(group: FileGroup): void {
    group.pass = this.pass;
    group.from = this.groupFrom;
    group.entries = this.seenInPass - this.groupSeenFrom;
    group.seen = this.groupSkippable ? this.log.since(this.groupFrom) : null;
    this.group = null;
  }

  get<T>(file: string, parser: Parser<T>): FileRead<T> {
    let entry = this.entries.get(file);
    while (entry !== undefined && entry.parser !== parser) entry = entry.next ?? undefined;
    const result = this.lookUp(file, parser, entry);
    if (this.group !== null) {
      entry ??= this.entries.get(file);
      while (entry !== undefined && entry.parser !== parser) entry = entry.next ?? undefined;
      if (entry !== undefined) {
        entry.group = this.group;
        if (entry.hot) this.groupSkippable = false;
      }
    }
    return result;
  }

  private lookUp<T>(file: string, parser: Parser<T>, entry: Entry | undefined): FileRead<T> {
    if (entry === undefined) {
      const listed = this.firstLook(file, parser);
      if (listed !== null) return listed;
    } else {
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
      return this.store(file, parser, entry, unreadable(file, err), null, true);
    }
    if (stat === undefined) {
      const dir = entry?.dir ?? this.dirOf(path.dirname(file));
      const state = this.dirState(dir);
      return this.store(file, parser, entry, ABSENT, null, state.hot, state, dir);
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
    return this.read(file, parser, entry, false);
  }

  /**
   * A file never read before, answered by its directory's listing (cache-dirs.ts): absent without
   * a look at the file, or opened without a stat first. Null when the listing cannot tell.
   */
  private firstLook<T>(file: string, parser: Parser<T>): FileRead<T> | null {
    const dir = this.dirOf(path.dirname(file));
    const listing = this.listingOf(dir);
    const found = listing === null ? LISTED_UNSURE : lookUpListed(listing, path.basename(file));
    if (found === LISTED_PRESENT) return this.read(file, parser, undefined, true, dir);
    if (found === LISTED_UNSURE) return null;
    this.lastSlot = -1;
    return this.store(file, parser, undefined, ABSENT, null, dir.state.hot, dir.state, dir);
  }

  /**
   * Open, read and parse `file`. `listed`: the file was found in its directory's listing, not
   * stat'ed, so what the open finds is what this pass records of it.
   */
  private read<T>(
    file: string,
    parser: Parser<T>,
    entry: Entry | undefined,
    listed: boolean,
    dir?: Dir,
  ): FileRead<T> {
    const slot = this.lastSlot;
    const read = readOnce(file, parser, this.wallMs());
    if (read.opened) this.counters.reads++;
    if (!listed) this.lastSlot = slot;
    else if (read.result === 'vanished') this.lastSlot = this.log.record(file, undefined);
    else this.lastSlot = this.log.record(file, read.stat);
    // Deleted between the stat (or listing) and the open: absent, and checked again next pass.
    if (read.result === 'vanished')
      return this.store(file, parser, entry, ABSENT, null, true, VANISHED, dir);
    return this.store(file, parser, entry, read.result, read.stat, read.hot, null, dir);
  }

  /**
   * The listing of `dir` for this pass, made on the first look at a file in it after a stat of the
   * directory; null when it cannot be listed.
   */
  private listingOf(dir: Dir): Listing | null {
    if (dir.listPass === this.pass) return dir.listing;
    const state = this.dirState(dir);
    dir.listPass = this.pass;
    if (state.missingLevels > 0) dir.listing = NOTHING_LISTED;
    else {
      dir.listing = listDir(dir.path);
      this.counters.listings++;
      this.listed.push(dir);
      if (dir.listing !== null) this.onListing?.(dir.path, dir.listing.names);
    }
    return dir.listing;
  }

  /**
   * Stat a file or directory for this pass: the helper's result when it has one, else inline.
   * `slot` is where the path was in the last pass's list; its slot in this pass is left in
   * `lastSlot`. Throws what a failed stat throws.
   */
  private statPath(file: string, slot: number): FileIdentity | undefined {
    this.counters.stats++;
    const taken = this.prefetch?.take(file, slot) ?? NOT_TAKEN;
    let stat: FileIdentity | undefined;
    if (taken !== NOT_TAKEN) {
      this.counters.prefetched++;
      stat = taken;
    } else {
      try {
        stat = statSync(file, NO_THROW);
      } catch (err) {
        this.lastSlot = this.log.record(file, null);
        throw err;
      }
    }
    this.lastSlot = this.log.record(file, stat);
    return stat;
  }

  private store<T>(
    file: string,
    parser: Parser<T>,
    entry: Entry | undefined,
    result: FileRead<unknown>,
    stat: FileIdentity | null,
    hot: boolean,
    dirSeen: DirState | null = null,
    dir?: Dir, // the file's directory, when the caller has it (else looked up for a new entry)
  ): FileRead<T> {
    // Every new value gets a new version, so callers can memoise what they derive from it.
    if (result.state !== 'absent') result.version = ++this.version;
    if (entry === undefined) {
      // A first look stats even an absent file, where later passes stat only its directory: the
      // group is skipped on the stats of a later read.
      this.groupSkippable = false;
      entry = {
        parser: parser as Parser<unknown>,
        next: this.entries.get(file) ?? null,
        result,
        dir: dir ?? this.dirOf(path.dirname(file)),
        group: null,
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
      dir = newDir(dirPath);
      this.dirs.set(dirPath, dir);
    }
    return dir;
  }

  /** A directory's identity for this pass; a missing directory is identified through its parent. */
  private dirState(dir: Dir): DirState {
    if (dir.pass === this.pass) {
      // Stat'ed before the group began (another group's directory): the group cannot be skipped
      // on its own stats.
      if (dir.slot < this.groupFrom) this.groupSkippable = false;
      return dir.state;
    }
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
