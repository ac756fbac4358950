import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  ftruncateSync,
  unlinkSync,
} from 'node:fs';
import path from 'node:path';
import { tryAcquireLock, type LockHandle } from '../store/lock.js';
import type { Clock } from '../util/clock.js';
import { cappedLine } from './cap.js';

export interface HistoryEvent {
  ts: string;
  type: string;
  cycle_id?: string;
  [field: string]: unknown;
}

export interface HistoryOptions {
  maxBytes: number;
  keepFiles: number;
}

export interface RepairResult {
  repaired: boolean;
  droppedBytes: number;
  savedTo: string | null;
}

const CHUNK = 64 * 1024;
/** How long a writer waits for another process's append, rotation or repair before writing anyway. */
const LOCK_WAIT_MS = 5000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** The cross-process lock file of a history (one per history file, beside it). */
export function historyLockFile(file: string): string {
  return `${file}.lock`;
}

/**
 * Take the history's lock, waiting (synchronously: appends are synchronous everywhere) while another
 * process holds it. A dead holder never keeps it (see guard/lock.ts). Null after LOCK_WAIT_MS.
 */
function lockHistory(file: string): LockHandle | null {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let pause = 1; ; pause = Math.min(pause * 2, 20)) {
    let handle: LockHandle | null;
    try {
      handle = tryAcquireLock(historyLockFile(file));
    } catch {
      // The lock cannot be created at all (read-only directory, full disk): waiting will not help.
      return null;
    }
    if (handle || Date.now() >= deadline) return handle;
    Atomics.wait(sleeper, 0, 0, pause);
  }
}

function rotatedName(file: string, n: number): string {
  return `${file}.${n}`;
}

/** Bytes after the last newline of an open file (a torn line), as an offset and length. */
function findTornTail(fd: number, size: number): { offset: number; length: number } | null {
  if (size === 0) return null;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] === 0x0a) return null;
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const buf = Buffer.alloc(end - start);
    readSync(fd, buf, 0, buf.length, start);
    const nl = buf.lastIndexOf(0x0a);
    if (nl >= 0) return { offset: start + nl + 1, length: size - (start + nl + 1) };
    end = start;
  }
  return { offset: 0, length: size };
}

/**
 * Append-only NDJSON event log with size-based rotation and repair of a torn last line.
 *
 * Many processes write one history (`serve`, `heartbeat run`, the watchdog, CLI commands). Append,
 * rotation and repair all happen under one cross-process lock (`<file>.lock`): without it one
 * process's repair could cut another's half-written line, and two rotations could push a file out.
 * Every event is also one O_APPEND write of whole lines, so even a writer that gave up waiting for
 * the lock (a holder stuck for LOCK_WAIT_MS) never interleaves inside a line; it only skips rotation
 * and repair for that write.
 */
export class HistoryStore {
  private writeErrors = 0;

  constructor(
    readonly file: string,
    private readonly options: HistoryOptions,
    private readonly clock: Clock,
    private readonly onWriteError: (error: Error) => void = () => undefined,
  ) {}

  get writeErrorCount(): number {
    return this.writeErrors;
  }

  /** Cut a torn last line (crash mid-write), keep it in `<file>.torn`, and record the repair. */
  repair(): RepairResult {
    const lock = this.lock();
    try {
      if (!lock) return { repaired: false, droppedBytes: 0, savedTo: null };
      return this.repairLocked();
    } finally {
      lock?.release();
    }
  }

  private lock(): LockHandle | null {
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
    } catch {
      return null;
    }
    return lockHistory(this.file);
  }

  private repairLocked(): RepairResult {
    if (!existsSync(this.file)) return { repaired: false, droppedBytes: 0, savedTo: null };
    const fd = openSync(this.file, 'r+');
    let torn: { offset: number; length: number } | null;
    let fragment = Buffer.alloc(0);
    try {
      torn = findTornTail(fd, fstatSync(fd).size);
      if (torn) {
        fragment = Buffer.alloc(torn.length);
        readSync(fd, fragment, 0, torn.length, torn.offset);
        ftruncateSync(fd, torn.offset);
      }
    } finally {
      closeSync(fd);
    }
    if (!torn) return { repaired: false, droppedBytes: 0, savedTo: null };
    const savedTo = `${this.file}.torn`;
    appendFileSync(savedTo, Buffer.concat([fragment, Buffer.from('\n')]));
    const event: HistoryEvent = {
      ts: this.clock.now().toISOString(),
      type: 'history_repaired',
      file: path.basename(this.file),
      dropped_bytes: torn.length,
      saved_to: path.basename(savedTo),
    };
    appendFileSync(this.file, cappedLine(event));
    return { repaired: true, droppedBytes: torn.length, savedTo };
  }

  append(type: string, fields: Record<string, unknown> = {}): HistoryEvent {
    const event: HistoryEvent = { ts: this.clock.now().toISOString(), type, ...fields };
    this.write([event]);
    return event;
  }

  appendAll(events: HistoryEvent[]): void {
    if (events.length > 0) this.write(events);
  }

  private write(events: HistoryEvent[]): void {
    const data = events.map((e) => cappedLine(e)).join('');
    let lock: LockHandle | null = null;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      lock = lockHistory(this.file);
      if (lock) {
        this.rotateIfNeeded(Buffer.byteLength(data));
        if (this.endsTorn()) this.repairLocked();
      }
      appendFileSync(this.file, data);
    } catch (err) {
      // History must never take the guard down; the failure is counted and exported.
      this.writeErrors++;
      this.onWriteError(err as Error);
    } finally {
      lock?.release();
    }
  }

  private endsTorn(): boolean {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return false;
    }
    try {
      const size = fstatSync(fd).size;
      if (size === 0) return false;
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      return last[0] !== 0x0a;
    } finally {
      closeSync(fd);
    }
  }

  private rotateIfNeeded(incoming: number): void {
    let size: number;
    try {
      size = statSync(this.file).size;
    } catch {
      return;
    }
    if (size === 0 || size + incoming <= this.options.maxBytes) return;
    const keep = this.options.keepFiles;
    if (keep === 0) {
      unlinkSync(this.file);
      return;
    }
    const oldest = rotatedName(this.file, keep);
    if (existsSync(oldest)) unlinkSync(oldest);
    for (let n = keep - 1; n >= 1; n--) {
      const from = rotatedName(this.file, n);
      if (existsSync(from)) renameSync(from, rotatedName(this.file, n + 1));
    }
    renameSync(this.file, rotatedName(this.file, 1));
  }
}

/** Files of one history, oldest first. */
export function historyFiles(file: string, keepFiles: number): string[] {
  const files: string[] = [];
  for (let n = keepFiles; n >= 1; n--) {
    if (existsSync(rotatedName(file, n))) files.push(rotatedName(file, n));
  }
  if (existsSync(file)) files.push(file);
  return files;
}
