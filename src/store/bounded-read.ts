// Every file laneguard reads is read with a cap, checked while reading: a file that is far too big,
// or endless (`/dev/zero`, a FIFO that never closes its end), fails fast instead of filling memory.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Caps by kind of file. A laneguard file is far below its cap; over it, it is the wrong file. */
export const READ_CAPS = {
  config: 4 * 1024 * 1024,
  /** State, report, fleet status, ledger, heartbeat and watchdog state. */
  data: 16 * 1024 * 1024,
  /** Token and password files, pid files, lock owners. */
  small: 64 * 1024,
} as const;

const CHUNK = 64 * 1024;

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

export class FileTooLargeError extends Error {
  constructor(
    readonly file: string,
    readonly limit: number,
  ) {
    super(
      `cannot read ${file}: larger than ${formatBytes(limit)}, the most laneguard reads of it (is it the right file?)`,
    );
    this.name = 'FileTooLargeError';
  }
}

/**
 * Read a whole file (or stdin as `-`) of at most `maxBytes`. A regular file over the cap is refused
 * from its size without being read; anything else is read in chunks and refused as soon as it
 * passes the cap. Errors of the filesystem are thrown as they come (ENOENT stays ENOENT).
 */
export function readCapped(file: string, maxBytes: number): Buffer {
  const fd = file === '-' ? 0 : openSync(file, 'r');
  try {
    const stat = fstatSync(fd);
    if (stat.isFile() && stat.size > maxBytes) throw new FileTooLargeError(file, maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - total));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        // A non-blocking stdin with nothing yet: wait a moment rather than fail.
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
          continue;
        }
        throw err;
      }
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new FileTooLargeError(file, maxBytes);
      chunks.push(buf.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}

/** `readCapped` as UTF-8 text. */
export function readCappedText(file: string, maxBytes: number): string {
  return readCapped(file, maxBytes).toString('utf8');
}
