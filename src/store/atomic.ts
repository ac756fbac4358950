import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { FileError, isEnvironmentError, naming } from './file-error.js';
import { READ_CAPS, readCappedText } from './bounded-read.js';
import { parseJson as parseJsonSafe } from '../util/json.js';
import { jsonFileText, jsonFileTextSliced } from './json-text.js';

function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * Replace `file` atomically: write a temp file beside it, fsync, rename over the target, fsync the
 * directory. A crash at any point leaves either the old or the new content, never a torn file.
 */
export function atomicWriteFile(file: string, content: string): void {
  // A full disk or a read-only mount is the operator's to fix: say which file, in one line.
  naming('write', file, () => writeReplacing(file, content));
}

function writeReplacing(file: string, content: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const temp = path.join(
    dir,
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const fd = openSync(temp, 'w', 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      /* already gone */
    }
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(temp, file);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      /* already gone */
    }
    throw err;
  }
  fsyncDir(dir);
}

export function atomicWriteJson(file: string, value: unknown): void {
  atomicWriteFile(file, jsonFileText(value));
}

/**
 * `atomicWriteFile` with the writes and fsyncs off the event loop: the daemon's cycle writes a report
 * of every lane, and a synchronous fsync of it would stall scrapes and webhook calls meanwhile.
 */
export async function atomicWriteFileAsync(file: string, content: string | Buffer): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(
    dir,
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(temp, 'w', 0o644);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    if (err instanceof FileError || !isEnvironmentError(err)) throw err;
    throw new FileError('write', file, err);
  }
  try {
    const handle = await open(dir, 'r');
    await handle.sync().finally(() => handle.close());
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  }
}

/** The same, the text made in slices too: a report of 10,000 lanes is megabytes of JSON. */
export async function atomicWriteJsonAsync(file: string, value: unknown): Promise<void> {
  return atomicWriteFileAsync(file, await jsonFileTextSliced(value));
}

export type JsonRead =
  | { status: 'ok'; value: unknown }
  | { status: 'missing' }
  | { status: 'corrupt'; error: string; text: string };

/** Read a JSON file written by laneguard (or by the system it replaces, which could tear it). */
export function readJson(file: string): JsonRead {
  let text: string;
  try {
    text = readCappedText(file, READ_CAPS.data);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    return { status: 'corrupt', error: (err as Error).message, text: '' };
  }
  try {
    return { status: 'ok', value: parseJsonSafe(text) };
  } catch (err) {
    return { status: 'corrupt', error: (err as Error).message, text };
  }
}

/** Move a corrupt file aside (kept for inspection, never deleted); returns where it went. */
export function quarantine(file: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  const target = `${file}.corrupt-${stamp}`;
  renameSync(file, target);
  return target;
}
