import path from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { fetchHttpClient } from '../fleet/http.js';
import type { GuardDeps } from '../guard/cycle.js';
import { HistoryStore } from '../history/store.js';
import { createLaneAdapter } from '../lanes/factory.js';
import { runArgv } from '../process/index.js';
import { systemClock, type Clock } from '../util/clock.js';

export interface GlobalOptions {
  root?: string;
}

/** The fleet root: --root, then LANEGUARD_ROOT, then the working directory. */
export function resolveRoot(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(options.root ?? env.LANEGUARD_ROOT ?? process.cwd());
}

export function historyFor(config: LoadedConfig, clock: Clock = systemClock): HistoryStore {
  return new HistoryStore(config.paths.history, { maxBytes: config.guard.history.max_bytes, keepFiles: config.guard.history.keep_files }, clock);
}

/** Wire the real parts for one fleet root. */
export function guardDeps(config: LoadedConfig, clock: Clock = systemClock): GuardDeps {
  return {
    config,
    adapter: createLaneAdapter(config),
    history: historyFor(config, clock),
    clock,
    http: fetchHttpClient,
    runner: runArgv,
  };
}

export function loadFor(options: GlobalOptions): LoadedConfig {
  return loadConfig({ root: resolveRoot(options) });
}
