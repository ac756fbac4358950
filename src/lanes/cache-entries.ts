// The file cache's memory of each file it read (file-cache.ts), and of groups of files read together.
import type { Dir, DirState } from './cache-dirs.js';
import type { FileRead, Parser } from './file-read.js';
import type { StatsSeen } from './stat-log.js';

export interface Entry {
  parser: Parser<unknown>;
  /** The same file read by another parser (rare: a file read two ways). */
  next: Entry | null;
  result: FileRead<unknown>;
  /** The directory the file is in. */
  dir: Dir;
  /** The group it was last read in: kept while the group is skipped. */
  group: FileGroup | null;
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

/** Files read together, skipped together when none of them changed (see file-cache.ts). */
export class FileGroup {
  /** The pass it was last read or skipped in. */
  pass = -1;
  /** Where its stats began in that pass's list. */
  from = -1;
  /** Its stats when it was last read file by file, when that read allows a skip. */
  seen: StatsSeen | null = null;
  /** Entries it read, counted as asked for when it is skipped. */
  entries = 0;
}

/**
 * Keep the entries asked for in `pass` (or kept by a group skipped in it) and forget the rest (lanes
 * that left the fleet); the directories the kept entries are in, and their ancestors, are kept too.
 */
export function keepSeen(
  entries: Map<string, Entry>,
  pass: number,
): { dirs: Map<string, Dir>; forgotten: number } {
  const dirs = new Map<string, Dir>();
  let forgotten = 0;
  for (const [file, head] of entries) {
    let kept: Entry | null = null;
    for (let entry: Entry | null = head; entry !== null;) {
      const next: Entry | null = entry.next;
      if (entry.pass === pass || entry.group?.pass === pass) {
        entry.next = kept;
        kept = entry;
        for (let d: Dir | null | undefined = entry.dir; d && !dirs.has(d.path); d = d.parent)
          dirs.set(d.path, d);
      } else forgotten++;
      entry = next;
    }
    if (kept === null) entries.delete(file);
    else entries.set(file, kept);
  }
  return { dirs, forgotten };
}
