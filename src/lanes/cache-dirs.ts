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
  names: readonly string[];
  /** The names as a set, made for a long listing on its first look-up. */
  index: ReadonlySet<string> | null;
  /**
   * Whether every name is ASCII (worked out on the first name not found). On a case-insensitive
   * file system (macOS, Windows) `State.json` opens as `state.json`, and names beyond ASCII may be
   * folded or normalised: only an ASCII name that no ASCII entry matches in any case is surely absent.
   */
  ascii: boolean | undefined;
  /** A long listing's names in lower case, made on the first name not found. */
  folded: ReadonlySet<string> | null;
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
export const NOTHING_LISTED: Listing = { names: [], index: null, ascii: true, folded: null };

/** The names in `dirPath`; null when it cannot be listed (the caller then stats each file). */
export function listDir(dirPath: string): Listing | null {
  try {
    return { names: readdirSync(dirPath), index: null, ascii: undefined, folded: null };
  } catch {
    return null;
  }
}

const NOT_ASCII = /[\u0080-\uffff]/;
/** Listings up to this long are searched name by name (a lane's directory holds a handful). */
const SHORT = 16;

export const LISTED_PRESENT = 1;
export const LISTED_ABSENT = 0;
/** The listing cannot tell (a name in another case, or not ASCII): stat the file. */
export const LISTED_UNSURE = -1;

/** The same ASCII name but for the case of its letters (same length). */
function sameButCase(a: string, b: string): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const lower = x | 0x20;
    if (lower !== (y | 0x20) || lower < 0x61 || lower > 0x7a) return false;
  }
  return true;
}

/** What `listing` says of the file `name`. */
export function lookUpListed(listing: Listing, name: string): number {
  const names = listing.names;
  const long = names.length > SHORT;
  if (long) {
    const index = (listing.index ??= new Set(names));
    if (index.has(name)) return LISTED_PRESENT;
  } else if (names.includes(name)) return LISTED_PRESENT;
  listing.ascii ??= !names.some((entry) => NOT_ASCII.test(entry));
  if (!listing.ascii || NOT_ASCII.test(name)) return LISTED_UNSURE;
  if (long) {
    const folded = (listing.folded ??= new Set(names.map((entry) => entry.toLowerCase())));
    return folded.has(name.toLowerCase()) ? LISTED_UNSURE : LISTED_ABSENT;
  }
  for (const entry of names)
    if (entry.length === name.length && sameButCase(entry, name)) return LISTED_UNSURE;
  return LISTED_ABSENT;
}
