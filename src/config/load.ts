import path from 'node:path';
import { ConfigError, ConfigErrors } from './errors.js';
import { deepFreeze } from './freeze.js';
import { fleetSchema, type EndpointConfig } from './fleet-schema.js';
import {
  guardSchema,
  NOT_PERFORMED_PREFIXES,
  ORIGINAL_MINIMUMS,
  type GuardConfig,
} from './guard-schema.js';
import { assertFleetRoot, resolveUnderRoot } from './paths.js';
import { readJsonFile } from './read-json.js';
import { CONFIG_PARSE, formatPath, issuesToErrors } from './zod-issues.js';

export const GUARD_CONFIG_FILE = 'config/local_model_idle_guard.json';
export const FLEET_CONFIG_FILE = 'config/local_model_fleet.json';

export interface ResolvedPaths {
  guardConfig: string;
  fleetConfig: string;
  lanesFile: string;
  runtimeDir: string;
  report: string;
  state: string;
  history: string;
  fleetStatus: string;
  pid: string;
  log: string;
  lock: string;
  clearedPauses: string;
  heartbeatState: string;
  ledger: string;
  watchdogConfig: string;
  tokenFile: string | null;
  basicAuthPasswordFile: string | null;
}

export interface LoadedConfig {
  root: string;
  guard: GuardConfig;
  endpoints: EndpointConfig[];
  paths: ResolvedPaths;
  /** Keys accepted for compatibility and reported as not performed. */
  notPerformed: string[];
  warnings: string[];
}

export interface LoadOptions {
  root: string;
  env?: NodeJS.ProcessEnv;
}

/** The runtime-dir variable of the replaced system, honoured as it honours it (relative to the root). */
export const LANES_RUNTIME_DIR_ENV = 'ORXAQ_AUTONOMY_LANES_RUNTIME_DIR';

/**
 * The lanes' runtime directory: `lanes.runtime_dir` when the guard config sets it, else
 * ORXAQ_AUTONOMY_LANES_RUNTIME_DIR when set (as the replaced system reads it), else the default.
 */
export function lanesRuntimeDirSetting(
  raw: unknown,
  guard: GuardConfig,
  env: NodeJS.ProcessEnv,
): { value: string; key: string } {
  const lanes = (raw as { lanes?: { runtime_dir?: unknown } } | null)?.lanes;
  if (typeof lanes?.runtime_dir === 'string')
    return { value: guard.lanes.runtime_dir, key: 'lanes.runtime_dir' };
  const fromEnv = env[LANES_RUNTIME_DIR_ENV]?.trim();
  if (fromEnv) return { value: fromEnv, key: `$${LANES_RUNTIME_DIR_ENV}` };
  return { value: guard.lanes.runtime_dir, key: 'lanes.runtime_dir' };
}

function parseGuard(raw: unknown, file: string): { guard: GuardConfig; notPerformed: string[] } {
  if (raw === null) return { guard: guardSchema.parse({}, CONFIG_PARSE), notPerformed: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('CONFIG_INVALID_VALUE', file, null, 'must be a JSON object');
  }
  const notPerformed: string[] = [];
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (NOT_PERFORMED_PREFIXES.some((p) => key.startsWith(p))) notPerformed.push(key);
    else kept[key] = value;
  }
  const result = guardSchema.safeParse(kept, CONFIG_PARSE);
  if (!result.success)
    throw new ConfigErrors(issuesToErrors(file, guardSchema, result.error.issues));
  return { guard: result.data, notPerformed };
}

function resolveHeaders(
  endpoint: EndpointConfig,
  index: number,
  file: string,
  env: NodeJS.ProcessEnv,
): EndpointConfig {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(endpoint.headers)) {
    headers[name] = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, variable: string) => {
      const resolved = env[variable];
      if (resolved === undefined) {
        throw new ConfigError(
          'CONFIG_MISSING_ENV',
          file,
          `endpoints[${index}].headers.${name}`,
          `refers to environment variable ${variable}, which is not set; export it before starting laneguard`,
        );
      }
      return resolved;
    });
  }
  return { ...endpoint, headers };
}

function parseFleet(raw: unknown, file: string, env: NodeJS.ProcessEnv): EndpointConfig[] {
  if (raw === null) {
    throw new ConfigError(
      'CONFIG_NOT_FOUND',
      file,
      null,
      'not found; create it with {"endpoints": [{"id": "…", "base_url": "http://127.0.0.1:1234/v1"}]} or pass --root',
    );
  }
  const result = fleetSchema.safeParse(raw, CONFIG_PARSE);
  if (!result.success) {
    const ids = Array.isArray((raw as { endpoints?: unknown }).endpoints)
      ? ((raw as { endpoints: unknown[] }).endpoints as Array<{ id?: unknown }>)
      : [];
    const describe = (p: readonly PropertyKey[]): string => {
      const base = formatPath(p);
      const id = p[0] === 'endpoints' && typeof p[1] === 'number' ? ids[p[1]]?.id : undefined;
      return typeof id === 'string' ? `${base} (endpoint "${id}")` : base;
    };
    throw new ConfigErrors(issuesToErrors(file, fleetSchema, result.error.issues, describe));
  }
  const seen = new Set<string>();
  return result.data.endpoints.map((endpoint, index) => {
    if (seen.has(endpoint.id)) {
      throw new ConfigError(
        'CONFIG_INVALID_VALUE',
        file,
        `endpoints[${index}].id`,
        `duplicate endpoint id "${endpoint.id}"`,
      );
    }
    seen.add(endpoint.id);
    return resolveHeaders(endpoint, index, file, env);
  });
}

function resolvePaths(
  root: string,
  guard: GuardConfig,
  file: string,
  runtimeDir: { value: string; key: string },
): ResolvedPaths {
  const at = (value: string, key: string): string => resolveUnderRoot(root, value, file, key);
  return {
    guardConfig: path.join(root, GUARD_CONFIG_FILE),
    fleetConfig: path.join(root, FLEET_CONFIG_FILE),
    lanesFile: at(guard.lanes.lanes_file, 'lanes.lanes_file'),
    runtimeDir: at(runtimeDir.value, runtimeDir.key),
    report: at(guard.report_file, 'report_file'),
    state: at(guard.state_file, 'state_file'),
    history: at(guard.history_file, 'history_file'),
    fleetStatus: at(guard.fleet_status_file, 'fleet_status_file'),
    pid: at(guard.pid_file, 'pid_file'),
    log: at(guard.log_file, 'log_file'),
    lock: at(guard.lock_file, 'lock_file'),
    clearedPauses: at(guard.cleared_pauses_dir, 'cleared_pauses_dir'),
    heartbeatState: at(guard.heartbeat_state_file, 'heartbeat_state_file'),
    ledger: at(guard.webhook.ledger_file, 'webhook.ledger_file'),
    watchdogConfig: at(guard.watchdog_config_file, 'watchdog_config_file'),
    tokenFile: guard.server.token_file ? at(guard.server.token_file, 'server.token_file') : null,
    basicAuthPasswordFile: guard.server.basic_auth
      ? at(guard.server.basic_auth.password_file, 'server.basic_auth.password_file')
      : null,
  };
}

function collectWarnings(guard: GuardConfig, notPerformed: string[]): string[] {
  const warnings: string[] = [];
  for (const [key, minimum] of Object.entries(ORIGINAL_MINIMUMS)) {
    const value = guard[key as keyof GuardConfig] as number;
    if (value < minimum) {
      warnings.push(
        `${key} = ${value}s is below the usual minimum of ${minimum}s (accepted as configured)`,
      );
    }
  }
  for (const key of notPerformed) {
    // The replaced system revived stalled lanes by rewriting their task state; laneguard restarts them.
    const instead =
      key === 'revive_stalled_state_on_idle'
        ? 'stalled lanes are restarted through lanes.stop_command and lanes.start_command instead: set restart_stalled (and stalled_after_sec)'
        : 'use escalate_command';
    warnings.push(
      `${key} is accepted but not performed: laneguard never rewrites a lane's task state; ${instead}`,
    );
  }
  if (guard.backoff.initial_sec > guard.backoff.max_sec) {
    warnings.push('backoff.initial_sec is above backoff.max_sec; every backoff will be max_sec');
  }
  return warnings;
}

/** Cross-key rules zod cannot see on one key. */
function checkLanesSection(guard: GuardConfig, file: string): void {
  if (guard.lanes.source === 'command' && !guard.lanes.status_command) {
    throw new ConfigError(
      'CONFIG_INVALID_VALUE',
      file,
      'lanes.status_command',
      'is required when lanes.source is "command" (an argv that prints {"lanes": [...]})',
    );
  }
  const pattern = guard.lanes.cmdline_pattern;
  if (pattern !== undefined) {
    try {
      new RegExp(pattern.replaceAll('{lane}', 'x'));
    } catch (err) {
      throw new ConfigError(
        'CONFIG_INVALID_VALUE',
        file,
        'lanes.cmdline_pattern',
        `not a valid regular expression (${(err as Error).message})`,
      );
    }
  }
}

/** Load, validate and freeze the guard and fleet configuration of one fleet root. */
export function loadConfig(options: LoadOptions): LoadedConfig {
  const root = path.resolve(options.root);
  assertFleetRoot(root);
  const env = options.env ?? process.env;
  const guardFile = GUARD_CONFIG_FILE;
  const rawGuard = readJsonFile(path.join(root, guardFile), guardFile);
  const { guard, notPerformed } = parseGuard(rawGuard, guardFile);
  const endpoints = parseFleet(
    readJsonFile(path.join(root, FLEET_CONFIG_FILE), FLEET_CONFIG_FILE),
    FLEET_CONFIG_FILE,
    env,
  );
  const paths = resolvePaths(root, guard, guardFile, lanesRuntimeDirSetting(rawGuard, guard, env));
  checkLanesSection(guard, guardFile);
  return deepFreeze({
    root,
    guard,
    endpoints,
    paths,
    notPerformed,
    warnings: collectWarnings(guard, notPerformed),
  });
}
