// Failed writes of laneguard's own files (a full disk): counted and logged, never fatal to a cycle.
import { describeErrno, FileError } from './file-error.js';

/** The `file` label of `laneguard_write_errors_total`. */
export const WRITTEN_FILES = ['fleet_status', 'report', 'state', 'history', 'lock'] as const;
export type WrittenFile = (typeof WRITTEN_FILES)[number];

/** Told about each write of laneguard's files; after a failure the caller carries on from memory. */
export interface WriteSink {
  failed(file: WrittenFile, error: Error): void;
  succeeded(file: WrittenFile): void;
}

/**
 * Run `write`. Without a sink a failure throws (a command that only writes should fail); with one
 * it is handed over and the caller goes on: decide and act matter more than a status file.
 */
export function tolerantWrite(
  file: WrittenFile,
  sink: WriteSink | undefined,
  write: () => void,
): boolean {
  if (!sink) {
    write();
    return true;
  }
  try {
    write();
  } catch (err) {
    sink.failed(file, err as Error);
    return false;
  }
  sink.succeeded(file);
  return true;
}

/** `tolerantWrite` for a write that runs off the event loop. */
export async function tolerantWriteAsync(
  file: WrittenFile,
  sink: WriteSink | undefined,
  write: () => Promise<void>,
): Promise<boolean> {
  if (!sink) {
    await write();
    return true;
  }
  try {
    await write();
  } catch (err) {
    sink.failed(file, err as Error);
    return false;
  }
  sink.succeeded(file);
  return true;
}

/**
 * Counts every failed write and logs the first of a streak per file: a full disk fails the same
 * write every cycle, and one line per cycle would bury the log. A success ends the streak.
 */
export class WriteFailures implements WriteSink {
  private readonly failing = new Map<WrittenFile, string>();
  private readonly seen: string[] = [];

  constructor(
    private readonly report: {
      count?: (file: WrittenFile) => void;
      /** The first failure of a streak, one line naming the file and the reason. */
      log: (message: string, file: WrittenFile) => void;
      recovered?: (file: WrittenFile) => void;
    },
  ) {}

  failed(file: WrittenFile, error: Error): void {
    this.report.count?.(file);
    const message =
      error instanceof FileError ? error.message : `cannot write ${file}: ${describeErrno(error)}`;
    this.seen.push(message);
    if (this.failing.has(file)) return;
    this.failing.set(file, message);
    this.report.log(message, file);
  }

  /** A write of `file` worked again: the next failure is logged. */
  succeeded(file: WrittenFile): void {
    if (this.failing.delete(file)) this.report.recovered?.(file);
  }

  /** Every failure message since the last call (for one-shot commands to print). */
  drain(): string[] {
    return this.seen.splice(0);
  }
}
