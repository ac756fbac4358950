import { Command, CommanderError } from 'commander';
import { ProcessTableUnavailable, requireProcessTable } from '../process/index.js';
import { VERSION } from '../version.js';
import { registerConfig } from './config-check.js';
import { EXIT_USAGE, reportError, UsageError } from './errors.js';
import { registerHeartbeat } from './heartbeat.js';
import { registerHistory } from './history.js';
import type { CliIo } from './io.js';
import { registerLanes } from './lanes.js';
import { registerMigrate } from './migrate.js';
import { registerOnce } from './once.js';
import { registerServe } from './serve.js';
import { registerDemo } from './demo.js';
import { registerProbe } from './probe.js';
import { registerReplay } from './replay.js';
import { registerRules } from './rules.js';
import { registerScan } from './scan.js';
import { registerWatchdog } from './watchdog.js';

export type Registrar = (program: Command, io: CliIo) => unknown;

/** Later commands (serve, probe, watchdog, …) add themselves here. */
export const REGISTRARS: Registrar[] = [
  registerServe,
  registerOnce,
  registerLanes,
  registerHistory,
  registerConfig,
  registerWatchdog,
  registerProbe,
  registerScan,
  registerHeartbeat,
  registerDemo,
  registerReplay,
  registerRules,
  registerMigrate,
];

/**
 * Commands that judge running processes (lanes, serve, the watchdog and what it supervises). Where
 * no process table can be read they refuse with exit 2 instead of taking every process for dead.
 */
export const NEEDS_PROCESS_FACTS = new Set([
  'serve',
  'start',
  'stop',
  'status',
  'once',
  'lanes',
  'watchdog',
  'demo',
  'migrate',
]);

function requireProcessFacts(_program: Command, action: Command): void {
  let top = action;
  while (top.parent?.parent) top = top.parent;
  if (!NEEDS_PROCESS_FACTS.has(top.name())) return;
  try {
    requireProcessTable();
  } catch (err) {
    if (err instanceof ProcessTableUnavailable) throw new UsageError(err.message);
    throw err;
  }
}

export function buildProgram(io: CliIo): Command {
  const program = new Command();
  program
    .name('laneguard')
    .description(
      'Keeps a fleet of local LLM worker lanes busy: probes model endpoints, watches lanes, exports Prometheus metrics and recovers an idle fleet safely.',
    )
    .version(VERSION)
    .option('--root <dir>', 'fleet root (default: $LANEGUARD_ROOT, else the current directory)')
    .option('--debug', 'print the stack trace of an unexpected error')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride()
    .hook('preAction', requireProcessFacts);
  for (const register of REGISTRARS) register(program, io);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Run the CLI and return its exit code. */
export async function runCli(
  argv: readonly string[],
  io: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l), exitCode: 0 },
): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv]);
    return io.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ||
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version'
        ? 0
        : EXIT_USAGE;
    }
    return reportError(
      err,
      io.err,
      program.opts<{ debug?: boolean }>().debug === true || argv.includes('--debug'),
    );
  }
}
