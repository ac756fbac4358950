import {
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
} from 'node:fs';
import path from 'node:path';
import type { PauseInfo } from '../domain/types.js';
import { atomicWriteJson } from '../store/atomic.js';
import { evaluatePause, parsePauseFlag } from './pause-rules.js';

export const PAUSE_FLAG = 'paused.flag';
const MAX_FLAG_BYTES = 64 * 1024;

/** Read and judge a lane's pause flag. `null` when the lane is not paused. Never throws. */
export function readPause(laneDir: string, now: Date, staleAfterSec: number): PauseInfo | null {
  const file = path.join(laneDir, PAUSE_FLAG);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    return unreadablePause(`cannot read ${PAUSE_FLAG}: ${code ?? String(err)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return unreadablePause(`${PAUSE_FLAG} is not a regular file`);
    const buf = Buffer.alloc(Math.min(stat.size, MAX_FLAG_BYTES));
    readSync(fd, buf, 0, buf.length, 0);
    const ageSec = (now.getTime() - stat.mtimeMs) / 1000;
    return evaluatePause(parsePauseFlag(buf.toString('utf8')), ageSec, now, staleAfterSec);
  } catch (err) {
    return unreadablePause(`cannot read ${PAUSE_FLAG}: ${(err as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** A flag we cannot read is kept: it counts as held, with the reason shown. */
export function unreadablePause(error: string): PauseInfo {
  return { message: error, ageSec: 0, manual: false, held: true, stale: false, error };
}

export interface WritePauseOptions {
  reason: string;
  by: string;
  hold: boolean;
  until?: string;
  now: Date;
}

export function writePause(laneDir: string, options: WritePauseOptions): string {
  mkdirSync(laneDir, { recursive: true });
  const file = path.join(laneDir, PAUSE_FLAG);
  atomicWriteJson(file, {
    reason: options.reason,
    by: options.by,
    at: options.now.toISOString(),
    ...(options.until ? { until: options.until } : {}),
    hold: options.hold,
  });
  return file;
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('.', '');
}

function archiveTarget(laneId: string, archiveDir: string, now: Date): string {
  mkdirSync(archiveDir, { recursive: true });
  let target = path.join(archiveDir, `${laneId}-${stamp(now)}.flag`);
  for (let n = 1; existsSync(target); n++)
    target = path.join(archiveDir, `${laneId}-${stamp(now)}-${n}.flag`);
  return target;
}

/**
 * Clear a pause by moving the flag to the archive (`<lane>-<UTC timestamp>.flag`), so an operator
 * can put it back. Returns the archive path, or null when there was no flag.
 */
export function archivePause(
  laneDir: string,
  laneId: string,
  archiveDir: string,
  now: Date,
): string | null {
  const file = path.join(laneDir, PAUSE_FLAG);
  if (!existsSync(file)) return null;
  const target = archiveTarget(laneId, archiveDir, now);
  try {
    renameSync(file, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return target;
}

/**
 * Keep a copy of the flag in the archive before it is replaced. A copy, not a move: the lane is
 * never without a flag between the old pause and the new one, so no cycle can start it meanwhile.
 */
export function archivePauseCopy(
  laneDir: string,
  laneId: string,
  archiveDir: string,
  now: Date,
): string | null {
  const file = path.join(laneDir, PAUSE_FLAG);
  if (!existsSync(file)) return null;
  const target = archiveTarget(laneId, archiveDir, now);
  try {
    copyFileSync(file, target, constants.COPYFILE_EXCL);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return target;
}
