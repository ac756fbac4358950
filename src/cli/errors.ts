import { ConfigError, ConfigErrors } from '../config/errors.js';
import { ProcessTableUnavailable } from '../process/index.js';
import { LockBusyError } from '../guard/runner.js';
import { describeErrno, FileError, isEnvironmentError } from '../store/file-error.js';

/** Exit codes of every command: 0 ok, 1 the work ran and something failed, 2 usage or config error. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Print an error for a person and return the exit code it maps to. */
export function reportError(err: unknown, stderr: (line: string) => void, debug = false): number {
  if (err instanceof ConfigErrors) {
    stderr(`laneguard: configuration error${err.errors.length > 1 ? 's' : ''}:`);
    for (const e of err.errors) stderr(`  ${e.message}`);
    return EXIT_USAGE;
  }
  if (err instanceof ConfigError) {
    stderr(`laneguard: configuration error: ${err.message}`);
    return EXIT_USAGE;
  }
  // ps missing or failing mid-command: the facts cannot be read, so nothing is judged.
  if (err instanceof UsageError || err instanceof ProcessTableUnavailable) {
    stderr(`laneguard: ${err.message}`);
    return EXIT_USAGE;
  }
  // Expected failures an operator can cause or fix: one line, no trace.
  if (err instanceof FileError || err instanceof LockBusyError) {
    stderr(`laneguard: ${err.message}`);
    return EXIT_FAILED;
  }
  if (isEnvironmentError(err)) {
    const e = err as NodeJS.ErrnoException;
    stderr(
      `laneguard: ${e.syscall ?? 'file operation'}${e.path ? ` ${e.path}` : ''}: ${describeErrno(err)}`,
    );
    return EXIT_FAILED;
  }
  // Anything else is a bug: one line by default, the trace for whoever reports it.
  if (debug) stderr(`laneguard: ${(err as Error)?.stack ?? String(err)}`);
  else stderr(`laneguard: internal error: ${oneLine(err)} (run with --debug for the stack trace)`);
  return EXIT_FAILED;
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 500);
}
