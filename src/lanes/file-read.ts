// One read of one small file for the file cache: open, identity from the open file, bounded read,
// parse. Failures are values, never exceptions.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { formatBytes } from '../store/bounded-read.js';
import type { FileIdentity } from './stat-prefetch.js';

/** Twice the coarsest common mtime resolution (FAT's 2 s would need 2 s; 1 s file systems are covered twice over). */
export const HOT_WINDOW_MS = 2000;

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

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

/** Every absent file's result (nothing to tell apart: no value, no version). */
export const ABSENT: FileRead<never> = Object.freeze({ state: 'absent' });

/** Touched so recently that a rewrite in the same timestamp tick could still follow unseen. */
export function isHot(mtimeMs: number, wallMs: number): boolean {
  // A timestamp in the future (clock step, another host's clock) is never trusted as settled.
  return wallMs - mtimeMs < HOT_WINDOW_MS;
}

export function unreadable(file: string, err: unknown): FileRead<never> {
  return {
    state: 'error',
    error: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    version: 0,
  };
}

export interface ReadOnce<T> {
  /** `vanished`: deleted between the caller's stat and this open. */
  result: FileRead<T> | 'vanished';
  /** The identity the content belongs to (null when there is no content). */
  stat: FileIdentity | null;
  hot: boolean;
  /** The file was opened (and read, or found unusable). */
  opened: boolean;
}

/** Read and parse `file`. The identity comes from the open file, so content and identity belong together. */
export function readOnce<T>(file: string, parser: Parser<T>, wallMs: number): ReadOnce<T> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { result: 'vanished', stat: null, hot: true, opened: false };
    return { result: unreadable(file, err), stat: null, hot: true, opened: false };
  }
  try {
    // A write after this fstat changes the mtime and is read next pass.
    const stat = fstatSync(fd);
    const hot = isHot(stat.mtimeMs, wallMs);
    const error = (message: string): ReadOnce<T> => ({
      result: { state: 'error', error: message, version: 0 },
      stat,
      hot,
      opened: true,
    });
    if (!stat.isFile()) return error(`${file} is not a regular file`);
    const cap = parser.maxBytes ?? DEFAULT_MAX_BYTES;
    // Over the cap is not a lane file laneguard can use: say so rather than parse a cut copy.
    if (stat.size > cap) return error(`${file} is larger than ${formatBytes(cap)}; not read`);
    const buf = Buffer.allocUnsafe(stat.size);
    let filled = 0;
    while (filled < buf.length) {
      const n = readSync(fd, buf, filled, buf.length - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    let value: T;
    try {
      value = parser.parse(buf.toString('utf8', 0, filled), file);
    } catch (err) {
      return error((err as Error).message);
    }
    return {
      result: { state: 'present', value, mtimeMs: stat.mtimeMs, size: stat.size, version: 0 },
      stat,
      hot,
      opened: true,
    };
  } catch (err) {
    return {
      result: {
        state: 'error',
        error: `cannot read ${file}: ${(err as Error).message}`,
        version: 0,
      },
      stat: null,
      hot: true,
      opened: true,
    };
  } finally {
    closeSync(fd);
  }
}
