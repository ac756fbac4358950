import type { Command } from 'commander';
import type { Print } from './format.js';
import type { GlobalOptions } from './context.js';

/** What commands write to and how they report their exit code. */
export interface CliIo {
  out: Print;
  err: Print;
  exitCode: number;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}
