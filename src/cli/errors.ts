import { ConfigError, ConfigErrors } from '../config/errors.js';
import { ProcessTableUnavailable } from '../process/index.js';

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
export function reportError(err: unknown, stderr: (line: string) => void): number {
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
  stderr(`laneguard: ${(err as Error)?.stack ?? String(err)}`);
  return EXIT_FAILED;
}
