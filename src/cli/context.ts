import path from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { fetchHttpClient } from '../fleet/http.js';
import type { GuardDeps } from '../guard/cycle.js';
import { HistoryStore } from '../history/store.js';
import type { LaneAdapter } from '../lanes/adapter.js';
import { createLaneAdapter } from '../lanes/factory.js';
import { runArgv } from '../process/index.js';
import { asFileError } from '../store/file-error.js';
import type { WriteSink } from '../store/write-errors.js';
import { systemClock, type Clock } from '../util/clock.js';

export interface GlobalOptions {
  root?: string;
}

/** The fleet root: --root, then LANEGUARD_ROOT, then the working directory. */
export function resolveRoot(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(options.root ?? env.LANEGUARD_ROOT ?? process.cwd());
}

export function historyFor(
  config: LoadedConfig,
  clock: Clock = systemClock,
  writes?: WriteSink,
): HistoryStore {
  // An append error carries no path: name the history file for the one line the operator sees.
  const onWriteError = writes
    ? (error: Error) => writes.failed('history', asFileError('write', config.paths.history, error))
    : undefined;
  return new HistoryStore(
    config.paths.history,
    { maxBytes: config.guard.history.max_bytes, keepFiles: config.guard.history.keep_files },
    clock,
    onWriteError,
  );
}

/** Wire the real parts for one fleet root. With `writes`, failed writes are reported there and the cycle goes on. */
export function guardDeps(
  config: LoadedConfig,
  clock: Clock = systemClock,
  writes?: WriteSink,
  adapter: LaneAdapter = createLaneAdapter(config),
): GuardDeps {
  return {
    config,
    adapter,
    history: historyFor(config, clock, writes),
    clock,
    http: fetchHttpClient,
    runner: runArgv,
    writes,
  };
}

export function loadFor(options: GlobalOptions): LoadedConfig {
  return loadConfig({ root: resolveRoot(options) });
}
