// The directories of the file cache's files: a directory's identity in one pass, and its listing,
// which answers a first look at a file without a stat of the file.
//
// A first look (a path the cache has never read) would otherwise stat the file before opening it:
// a stat tells an absent file cheaply, where an open throws, and most lanes lack most of their
// files. One listing of the lane's directory answers all of them at once: a name it lacks is absent
// and is not looked at, a name it has is opened directly (its identity comes from the open file, as
// always). The directory is stat'ed before it is listed, and that stat is what an absent file is
// remembered with: an entry created after it changes the directory, so it is looked at next pass.
import { readdirSync } from 'node:fs';

/**
 * A directory's identity in one pass: inode and mtime, or, for a missing directory, those of its
 * nearest existing ancestor and how many levels up that is.
 */
export interface DirState {
  ino: number;
  mtimeMs: number;
  missingLevels: number;
  hot: boolean;
}

/** What one listing of a directory found. */
export interface Listing {
  names: ReadonlySet<string>;
  /**
   * The names in lower case, made on the first name not found; null when a name is not ASCII. On a
   * case-insensitive file system (macOS, Windows) `State.json` opens as `state.json`: only a name
   * no entry matches in any case is surely absent.
   */
  folded: Set<string> | null | undefined;
}

/** A directory the cache's files are in, shared by their entries; its state is taken once a pass. */
export interface Dir {
  path: string;
  parent: Dir | null | undefined;
  /** The pass `state` was taken in, and the slot of its stat in that pass. */
  pass: number;
  slot: number;
  state: DirState;
  /** The pass `listing` was made in; null when the directory could not be listed then. */
  listPass: number;
  listing: Listing | null;
}

export const sameDir = (a: DirState, b: DirState): boolean =>
  a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.missingLevels === b.missingLevels;

/** Deleted between its stat and its open: never the same as any directory state, so looked at again. */
export const VANISHED: DirState = { ino: NaN, mtimeMs: NaN, missingLevels: 0, hot: true };
/** Above the file system's root. */
export const NO_DIR: DirState = { ino: -1, mtimeMs: -1, missingLevels: 0, hot: false };

export function newDir(dirPath: string): Dir {
  return {
    path: dirPath,
    parent: undefined,
    pass: 0,
    slot: -1,
    state: NO_DIR,
    listPass: 0,
    listing: null,
  };
}

/** The listing of a directory that does not exist. */
export const NOTHING_LISTED: Listing = { names: new Set(), folded: new Set() };

/** The names in `dirPath`; null when it cannot be listed (the caller then stats each file). */
export function listDir(dirPath: string): Listing | null {
  try {
    return { names: new Set(readdirSync(dirPath)), folded: undefined };
  } catch {
    return null;
  }
}

const NOT_ASCII = /[\u0080-\uffff]/;

export const LISTED_PRESENT = 1;
export const LISTED_ABSENT = 0;
/** The listing cannot tell (a name in another case, or not ASCII): stat the file. */
export const LISTED_UNSURE = -1;

/** What `listing` says of the file `name`. */
export function lookUpListed(listing: Listing, name: string): number {
  if (listing.names.has(name)) return LISTED_PRESENT;
  if (listing.folded === undefined) {
    let folded: Set<string> | null = new Set();
    for (const entry of listing.names) {
      if (NOT_ASCII.test(entry)) {
        folded = null;
        break;
      }
      folded.add(entry.toLowerCase());
    }
    listing.folded = folded;
  }
  if (listing.folded === null || NOT_ASCII.test(name)) return LISTED_UNSURE;
  return listing.folded.has(name.toLowerCase()) ? LISTED_UNSURE : LISTED_ABSENT;
}
