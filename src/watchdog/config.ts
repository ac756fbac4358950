import path from 'node:path';
import { expandArgv } from '../actions/run.js';
import { ConfigError, ConfigErrors } from '../config/errors.js';
import { GUARD_CONFIG_FILE } from '../config/load.js';
import { resolveUnderRoot } from '../config/paths.js';
import { readJsonFile } from '../config/read-json.js';
import { formatPath, issuesToErrors } from '../config/zod-issues.js';
import { WATCHDOG_CONFIG_FILE, watchdogSchema, type ProcessFileConfig } from './schema.js';

export type HealthSpec =
  | { kind: 'http'; url: string; timeoutSec: number }
  | { kind: 'file'; file: string; maxAgeSec: number };

/** One supervised process, validated, with every path resolved against the fleet root. */
export interface ProcessSpec {
  id: string;
  enabled: boolean;
  pidFile: string;
  matchRegex: string;
  restartCommand: string[];
  cwd: string;
  logFile: string;
  restartCooldownSec: number;
  startupGraceSec: number;
  stopGraceSec: number;
  health: HealthSpec | null;
  backoff: { initialSec: number; maxSec: number; jitterRatio: number };
  startLimit: { burst: number; intervalSec: number };
}

export interface WatchdogConfig {
  root: string;
  /** The config file, relative to the root when inside it (for messages). */
  file: string;
  intervalSec: number;
  stateFile: string;
  historyFile: string;
  pidFile: string;
  logFile: string;
  lockFile: string;
  history: { maxBytes: number; keepFiles: number };
  processes: ProcessSpec[];
}

/** `match_regex` as a RegExp; the config loader has already proved it compiles. */
export function matcher(spec: Pick<ProcessSpec, 'matchRegex'>): RegExp {
  return new RegExp(spec.matchRegex);
}

/**
 * Where the watchdog config lives: the guard config's `watchdog_config_file` when set, else the
 * default. Only that one key is read, so a broken guard config never stops the watchdog, which is
 * what restarts `serve` once the config is fixed.
 */
export function watchdogConfigFile(root: string): string {
  let configured: unknown;
  try {
    configured = (readJsonFile(path.join(root, GUARD_CONFIG_FILE), GUARD_CONFIG_FILE) as Record<string, unknown> | null)?.watchdog_config_file;
  } catch {
    configured = undefined;
  }
  const value = typeof configured === 'string' && configured.length > 0 ? configured : WATCHDOG_CONFIG_FILE;
  return resolveUnderRoot(root, value, GUARD_CONFIG_FILE, 'watchdog_config_file');
}

function resolveProcess(root: string, file: string, p: ProcessFileConfig, index: number): ProcessSpec {
  const key = (name: string): string => `processes[${index}].${name} (process "${p.id}")`;
  const at = (value: string, name: string): string => resolveUnderRoot(root, value, file, key(name));
  try {
    new RegExp(p.match_regex);
  } catch (err) {
    throw new ConfigError('CONFIG_INVALID_VALUE', file, key('match_regex'), `not a valid regular expression (${(err as Error).message}); escape special characters such as ( [ +`);
  }
  const health: HealthSpec | null = !p.health
    ? null
    : p.health.http !== undefined
      ? { kind: 'http', url: p.health.http, timeoutSec: p.health.timeout_sec }
      : { kind: 'file', file: at(p.health.file!, 'health.file'), maxAgeSec: p.health.max_age_sec! };
  return {
    id: p.id,
    enabled: p.enabled,
    pidFile: at(p.pid_file, 'pid_file'),
    matchRegex: p.match_regex,
    restartCommand: expandArgv(p.restart_command, { root }),
    cwd: at(p.cwd, 'cwd'),
    logFile: at(p.log_file ?? `artifacts/autonomy/local_models/watchdog_${p.id}.log`, 'log_file'),
    restartCooldownSec: p.restart_cooldown_sec,
    startupGraceSec: p.startup_grace_sec,
    stopGraceSec: p.stop_grace_sec,
    health,
    backoff: { initialSec: p.backoff.initial_sec, maxSec: p.backoff.max_sec, jitterRatio: p.backoff.jitter_ratio },
    startLimit: { burst: p.start_limit.burst, intervalSec: p.start_limit.interval_sec },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Validate a parsed watchdog config (the JSON value) for one root. Throws ConfigError(s). */
export function parseWatchdogConfig(raw: unknown, root: string, file: string): WatchdogConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('CONFIG_INVALID_VALUE', file, null, 'must be a JSON object like {"processes": [...]}');
  }
  const ids = Array.isArray((raw as { processes?: unknown }).processes) ? ((raw as { processes: Array<{ id?: unknown }> }).processes) : [];
  const describe = (p: readonly PropertyKey[]): string => {
    const id = p[0] === 'processes' && typeof p[1] === 'number' ? ids[p[1]]?.id : undefined;
    return typeof id === 'string' ? `${formatPath(p)} (process "${id}")` : formatPath(p);
  };
  const result = watchdogSchema.safeParse(raw);
  if (!result.success) throw new ConfigErrors(issuesToErrors(file, watchdogSchema, result.error.issues, describe));
  const c = result.data;
  const seen = new Set<string>();
  c.processes.forEach((p, i) => {
    if (seen.has(p.id)) throw new ConfigError('CONFIG_INVALID_VALUE', file, `processes[${i}].id`, `duplicate process id "${p.id}"; ids must be unique`);
    seen.add(p.id);
  });
  const at = (value: string, key: string): string => resolveUnderRoot(root, value, file, key);
  return deepFreeze({
    root,
    file,
    intervalSec: c.interval_sec,
    stateFile: at(c.state_file, 'state_file'),
    historyFile: at(c.history_file, 'history_file'),
    pidFile: at(c.pid_file, 'pid_file'),
    logFile: at(c.log_file, 'log_file'),
    lockFile: at(c.lock_file, 'lock_file'),
    history: { maxBytes: c.history.max_bytes, keepFiles: c.history.keep_files },
    processes: c.processes.map((p, i) => resolveProcess(root, file, p, i)),
  });
}

/** Load the watchdog config of a fleet root. A missing file is a config error naming the fix. */
export function loadWatchdogConfig(rootDir: string): WatchdogConfig {
  const root = path.resolve(rootDir);
  const absolute = watchdogConfigFile(root);
  const display = path.relative(root, absolute).startsWith('..') ? absolute : path.relative(root, absolute);
  const raw = readJsonFile(absolute, display);
  if (raw === null) {
    throw new ConfigError(
      'CONFIG_NOT_FOUND',
      display,
      null,
      'not found; create it with {"processes": [{"id": "…", "pid_file": "…", "match_regex": "…", "restart_command": ["…"]}]} (see docs/watchdog.md) or pass --root',
    );
  }
  return parseWatchdogConfig(raw, root, display);
}
