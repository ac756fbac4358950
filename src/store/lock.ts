import { closeSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { identify, stillRunning } from '../process/index.js';
import { READ_CAPS, readCappedText } from './bounded-read.js';
import { FileError, isEnvironmentError, naming } from './file-error.js';
import { parseJson as parseJsonSafe } from '../util/json.js';

interface LockOwner {
  pid: number;
  host: string;
  at: string;
  /**
   * Start token of the holder (src/process): a pid reused by another process does not hold the
   * lock. Older laneguard versions wrote Linux clock ticks as a number.
   */
  start?: string | number | null;
}

export interface LockHandle {
  release(): void;
}

let ownStartToken: string | null | undefined;
/** This process's start token, looked up once (with ps, each look is a `ps` call). */
function ownStart(): string | null {
  if (ownStartToken === undefined) ownStartToken = identify(process.pid)?.start ?? null;
  return ownStartToken;
}

/** Seconds after which an abandoned breaker lock (a crash mid-break) is ignored. */
const BREAKER_STALE_MS = 30_000;

function readOwner(file: string): LockOwner | null {
  try {
    const owner = parseJsonSafe(readCappedText(file, READ_CAPS.small)) as LockOwner;
    return typeof owner.pid === 'number' ? owner : null;
  } catch {
    return null;
  }
}

function createExclusive(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw isEnvironmentError(err) ? new FileError('create', file, err) : err;
  }
  try {
    writeSync(fd, content);
  } catch (err) {
    // Never leave an empty lock behind (a full disk): nobody could tell whose it is for a minute.
    closeSync(fd);
    try {
      unlinkSync(file);
    } catch {
      /* already gone */
    }
    throw new FileError('create', file, err);
  }
  closeSync(fd);
  return true;
}

/** A lock whose holder is dead (on this host) is stale. An unreadable lock older than a minute too. */
function isStale(file: string): boolean {
  const owner = readOwner(file);
  if (owner) {
    if (owner.host !== hostname()) return false;
    const start = typeof owner.start === 'number' ? `proc:${owner.start}` : (owner.start ?? null);
    return stillRunning({ pid: owner.pid, start }) === null;
  }
  try {
    return Date.now() - statSync(file).mtimeMs > 60_000;
  } catch {
    return false;
  }
}

/**
 * One cycle at a time across the whole root. The lock file names its holder; a dead holder does not
 * keep it. Breaking a stale lock happens under a second, short-lived breaker lock, so two processes
 * can never both break it and both believe they hold it.
 */
export function tryAcquireLock(file: string): LockHandle | null {
  naming('create', file, () => mkdirSync(path.dirname(file), { recursive: true }));
  const content = JSON.stringify({
    pid: process.pid,
    host: hostname(),
    at: new Date().toISOString(),
    start: ownStart(),
  });
  const handle: LockHandle = {
    release: () => {
      const owner = readOwner(file);
      if (owner?.pid === process.pid && owner.host === hostname()) {
        try {
          unlinkSync(file);
        } catch {
          /* already gone */
        }
      }
    },
  };
  if (createExclusive(file, content)) return handle;
  if (!isStale(file)) return null;

  const breaker = `${file}.break`;
  try {
    if (Date.now() - statSync(breaker).mtimeMs > BREAKER_STALE_MS) unlinkSync(breaker);
  } catch {
    /* no breaker */
  }
  if (!createExclusive(breaker, content)) return null;
  try {
    if (!isStale(file)) return null;
    try {
      unlinkSync(file);
    } catch {
      /* someone released it meanwhile */
    }
    return createExclusive(file, content) ? handle : null;
  } finally {
    try {
      unlinkSync(breaker);
    } catch {
      /* already gone */
    }
  }
}

/** Wait for the lock, polling, up to `timeoutMs`. */
export async function acquireLock(
  file: string,
  timeoutMs: number,
  pollMs = 100,
): Promise<LockHandle | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const handle = tryAcquireLock(file);
    if (handle || Date.now() >= deadline) return handle;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
