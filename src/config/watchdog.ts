import path from 'node:path';
import { expandArgv } from '../actions/run.js';
import { laneguardArgv } from '../util/self.js';
import { ConfigError, ConfigErrors } from './errors.js';
import { deepFreeze } from './freeze.js';
import { FLEET_CONFIG_FILE, GUARD_CONFIG_FILE } from './load.js';
import { assertFleetRoot, resolveUnderRoot } from './paths.js';
import { readJsonFile } from './read-json.js';
import {
  laneguardHeartbeatMatch,
  laneguardServeMatch,
  MIN_SERVE_STARTUP_GRACE_SEC,
  processRole,
  type ProcessRole,
} from './watchdog-roles.js';
import { WATCHDOG_CONFIG_FILE, watchdogSchema, type ProcessFileConfig } from './watchdog-schema.js';
import { CONFIG_PARSE, formatPath, issuesToErrors } from './zod-issues.js';

export type HealthSpec =
  | { kind: 'http'; url: string; timeoutSec: number }
  | { kind: 'file'; file: string; maxAgeSec: number };

/** One supervised process, validated, with every path resolved against the fleet root. */
export interface ProcessSpec {
  id: string;
  /** `guard` / `heartbeat`: laneguard's own daemon, whatever the entry's command says (watchdog-roles.ts). */
  role: ProcessRole;
  /** For a guard or heartbeat entry: what the file configured, replaced by laneguard's own. */
  replaced: { matchRegex: string; restartCommand: string[]; cwd: string } | null;
  /** Why an entry is disabled although the file enables it (a heartbeat with nothing to keep warm). */
  note: string | null;
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

/** The few keys of the other config files the watchdog needs, read leniently. */
interface Neighbours {
  watchdogConfigFile: string;
  guardPidFile: string;
  /** Whether any enabled endpoint has `heartbeat: true`; true when the fleet file cannot be read. */
  heartbeatTargets: boolean;
}

function rawObject(root: string, file: string): Record<string, unknown> | null {
  try {
    const raw = readJsonFile(path.join(root, file), file);
    return raw && typeof raw === 'object' && !Array.isArray(raw)
      ? (raw as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Only single keys of the guard and fleet configs are read, so a broken guard config never stops
 * the watchdog, which is what restarts `serve` once the config is fixed.
 */
function readNeighbours(root: string): Neighbours {
  const guard = rawObject(root, GUARD_CONFIG_FILE);
  const str = (key: string, fallback: string): string =>
    typeof guard?.[key] === 'string' && guard[key] !== '' ? (guard[key] as string) : fallback;
  const at = (value: string, key: string): string =>
    resolveUnderRoot(root, value, GUARD_CONFIG_FILE, key);
  const fleet = rawObject(root, FLEET_CONFIG_FILE);
  const endpoints = Array.isArray(fleet?.endpoints)
    ? (fleet.endpoints as Array<Record<string, unknown> | null>)
    : null;
  return {
    watchdogConfigFile: at(
      str('watchdog_config_file', WATCHDOG_CONFIG_FILE),
      'watchdog_config_file',
    ),
    guardPidFile: at(str('pid_file', 'artifacts/autonomy/local_models/idle_guard.pid'), 'pid_file'),
    heartbeatTargets:
      endpoints === null || endpoints.some((e) => e?.heartbeat === true && e.enabled !== false),
  };
}

/** Where the watchdog config lives: the guard config's `watchdog_config_file` when set, else the default. */
export function watchdogConfigFile(root: string): string {
  return readNeighbours(root).watchdogConfigFile;
}

function resolveProcess(
  root: string,
  file: string,
  p: ProcessFileConfig,
  index: number,
  neighbours: Omit<Neighbours, 'watchdogConfigFile'>,
): ProcessSpec {
  const key = (name: string): string => `processes[${index}].${name} (process "${p.id}")`;
  const at = (value: string, name: string): string =>
    resolveUnderRoot(root, value, file, key(name));
  const pidFile = at(p.pid_file, 'pid_file');
  const role = processRole({
    match_regex: p.match_regex,
    restart_command: p.restart_command,
    pidFile,
    guardPidFile: neighbours.guardPidFile,
  });
  try {
    new RegExp(p.match_regex);
  } catch (err) {
    throw new ConfigError(
      'CONFIG_INVALID_VALUE',
      file,
      key('match_regex'),
      `not a valid regular expression (${(err as Error).message}); escape special characters such as ( [ +`,
    );
  }
  const health: HealthSpec | null = !p.health
    ? null
    : p.health.http !== undefined
      ? { kind: 'http', url: p.health.http, timeoutSec: p.health.timeout_sec }
      : { kind: 'file', file: at(p.health.file!, 'health.file'), maxAgeSec: p.health.max_age_sec! };
  const configured = {
    matchRegex: p.match_regex,
    restartCommand: expandArgv(p.restart_command, { root }),
    cwd: p.cwd,
  };
  const own =
    role === 'guard'
      ? {
          matchRegex: laneguardServeMatch(root),
          restartCommand: laneguardArgv(root, 'start'),
          cwd: root,
        }
      : role === 'heartbeat'
        ? {
            matchRegex: laneguardHeartbeatMatch(root),
            restartCommand: laneguardArgv(root, 'heartbeat', 'run'),
            cwd: root,
          }
        : null;
  const idleHeartbeat = role === 'heartbeat' && !neighbours.heartbeatTargets;
  return {
    id: p.id,
    role,
    // The configured cwd of a replaced entry is never used (it often names another machine).
    replaced: own ? configured : null,
    note: idleHeartbeat
      ? `no endpoint of ${FLEET_CONFIG_FILE} has "heartbeat": true, so laneguard heartbeat has nothing to keep warm`
      : null,
    enabled: p.enabled && !idleHeartbeat,
    pidFile,
    matchRegex: own?.matchRegex ?? p.match_regex,
    restartCommand: own?.restartCommand ?? configured.restartCommand,
    cwd: own ? root : at(p.cwd, 'cwd'),
    logFile: at(p.log_file ?? `artifacts/autonomy/local_models/watchdog_${p.id}.log`, 'log_file'),
    restartCooldownSec: p.restart_cooldown_sec,
    startupGraceSec:
      role === 'guard'
        ? Math.max(p.startup_grace_sec, MIN_SERVE_STARTUP_GRACE_SEC)
        : p.startup_grace_sec,
    stopGraceSec: p.stop_grace_sec,
    health,
    backoff: {
      initialSec: p.backoff.initial_sec,
      maxSec: p.backoff.max_sec,
      jitterRatio: p.backoff.jitter_ratio,
    },
    startLimit: { burst: p.start_limit.burst, intervalSec: p.start_limit.interval_sec },
  };
}

/** Validate a parsed watchdog config (the JSON value) for one root. Throws ConfigError(s). */
export function parseWatchdogConfig(
  raw: unknown,
  root: string,
  file: string,
  neighbours: Omit<Neighbours, 'watchdogConfigFile'> = readNeighbours(root),
): WatchdogConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(
      'CONFIG_INVALID_VALUE',
      file,
      null,
      'must be a JSON object like {"processes": [...]}',
    );
  }
  const ids = Array.isArray((raw as { processes?: unknown }).processes)
    ? (raw as { processes: Array<{ id?: unknown }> }).processes
    : [];
  const describe = (p: readonly PropertyKey[]): string => {
    const id = p[0] === 'processes' && typeof p[1] === 'number' ? ids[p[1]]?.id : undefined;
    return typeof id === 'string' ? `${formatPath(p)} (process "${id}")` : formatPath(p);
  };
  const result = watchdogSchema.safeParse(raw, CONFIG_PARSE);
  if (!result.success)
    throw new ConfigErrors(issuesToErrors(file, watchdogSchema, result.error.issues, describe));
  const c = result.data;
  const seen = new Set<string>();
  c.processes.forEach((p, i) => {
    if (seen.has(p.id))
      throw new ConfigError(
        'CONFIG_INVALID_VALUE',
        file,
        `processes[${i}].id`,
        `duplicate process id "${p.id}"; ids must be unique`,
      );
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
    processes: c.processes.map((p, i) => resolveProcess(root, file, p, i, neighbours)),
  });
}

/** Load the watchdog config of a fleet root. A missing file is a config error naming the fix. */
export function loadWatchdogConfig(rootDir: string): WatchdogConfig {
  const root = path.resolve(rootDir);
  assertFleetRoot(root);
  const neighbours = readNeighbours(root);
  const absolute = neighbours.watchdogConfigFile;
  const display = path.relative(root, absolute).startsWith('..')
    ? absolute
    : path.relative(root, absolute);
  const raw = readJsonFile(absolute, display);
  if (raw === null) {
    throw new ConfigError(
      'CONFIG_NOT_FOUND',
      display,
      null,
      'not found; create it with {"processes": [{"id": "…", "pid_file": "…", "match_regex": "…", "restart_command": ["…"]}]} (see docs/watchdog.md) or pass --root',
    );
  }
  return parseWatchdogConfig(raw, root, display, neighbours);
}
