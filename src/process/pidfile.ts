// Pid files: one reader for every pid file laneguard reads (lanes, serve, watchdog, supervised processes).
import { rmSync } from 'node:fs';
import { FileTooLargeError, READ_CAPS, readCappedText } from '../store/bounded-read.js';
import { atomicWriteFile } from '../store/atomic.js';

export type PidFileRead =
  { kind: 'missing' } | { kind: 'bad'; detail: string } | { kind: 'ok'; pid: number };

/** A pid file's content: a positive integer (surrounding whitespace allowed), anything else is no pid. */
export function parsePid(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,10}$/.test(trimmed)) return null;
  const pid = Number(trimmed);
  return pid > 0 ? pid : null;
}

export function readPidFile(file: string): PidFileRead {
  let text: string;
  try {
    text = readCappedText(file, READ_CAPS.small).trim();
  } catch (err) {
    if (err instanceof FileTooLargeError) return { kind: 'bad', detail: err.message };
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? { kind: 'missing' }
      : { kind: 'bad', detail: `cannot read (${code ?? String(err)})` };
  }
  const pid = parsePid(text);
  return pid === null
    ? { kind: 'bad', detail: `content is not a pid: ${JSON.stringify(text.slice(0, 40))}` }
    : { kind: 'ok', pid };
}

/** The pid a pid file names, or null (missing, unreadable or not a pid). */
export function readPid(file: string): number | null {
  const read = readPidFile(file);
  return read.kind === 'ok' ? read.pid : null;
}

export function writePid(file: string, pid: number = process.pid): void {
  atomicWriteFile(file, `${pid}\n`);
}

/** Remove the pid file only if it still names this pid (a newer process may have replaced it). */
export function removePid(file: string, pid: number = process.pid): void {
  if (readPid(file) === pid) rmSync(file, { force: true });
}
