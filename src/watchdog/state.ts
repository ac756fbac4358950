import { statSync } from 'node:fs';
import { atomicWriteJson, readJson } from '../store/atomic.js';
import { loadStateFile } from '../store/state-file.js';
import {
  emptyMemory,
  initialWatchdogState,
  type ProcessMemory,
  type ProcessStatus,
  type WatchdogState,
} from '../core/watchdog/types.js';

const STATUSES: readonly ProcessStatus[] = [
  'healthy',
  'down',
  'hung',
  'backoff',
  'given_up',
  'disabled',
];

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function normalizeMemory(raw: Record<string, unknown>): ProcessMemory {
  const base = emptyMemory();
  const count = (k: keyof ProcessMemory): number => {
    const v = raw[k];
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : (base[k] as number);
  };
  const str = (k: keyof ProcessMemory): string | null =>
    typeof raw[k] === 'string' ? (raw[k] as string) : null;
  const pid = raw.pid;
  const backoff = raw.last_backoff_sec;
  return {
    status: STATUSES.includes(raw.status as ProcessStatus)
      ? (raw.status as ProcessStatus)
      : base.status,
    reason: str('reason'),
    pid: typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? pid : null,
    restarts_success: count('restarts_success'),
    restarts_failure: count('restarts_failure'),
    consecutive_failures: count('consecutive_failures'),
    attempts: Array.isArray(raw.attempts)
      ? raw.attempts.filter(
          (t): t is string => typeof t === 'string' && !Number.isNaN(Date.parse(t)),
        )
      : [],
    last_restart_at: str('last_restart_at'),
    next_attempt_at: str('next_attempt_at'),
    last_backoff_sec: typeof backoff === 'number' && Number.isFinite(backoff) ? backoff : null,
    gave_up_at: str('gave_up_at'),
    checked_at: str('checked_at'),
  };
}

/** Merge a stored state over the defaults, keeping only well-typed fields. Pure. */
export function normalizeWatchdogState(raw: unknown): WatchdogState | null {
  if (!isObject(raw)) return null;
  const state = initialWatchdogState();
  if (typeof raw.updated_at === 'string') state.updated_at = raw.updated_at;
  if (typeof raw.checked_by_pid === 'number' && Number.isInteger(raw.checked_by_pid))
    state.checked_by_pid = raw.checked_by_pid;
  if (isObject(raw.processes)) {
    for (const [id, memory] of Object.entries(raw.processes)) {
      if (isObject(memory)) state.processes[id] = normalizeMemory(memory);
    }
  }
  return state;
}

export interface LoadedWatchdogState {
  state: WatchdogState;
  /** Where a torn or invalid state file was moved, when it had to be. */
  repairedFrom: string | null;
  error: string | null;
}

/** Read the state for the watchdog itself; a torn file is moved aside (kept) and it starts fresh. */
export function loadWatchdogState(file: string, now: Date): LoadedWatchdogState {
  return loadStateFile(
    file,
    now,
    initialWatchdogState,
    (value) => normalizeWatchdogState(value) ?? 'state is not a JSON object',
  );
}

export function saveWatchdogState(file: string, state: WatchdogState): void {
  atomicWriteJson(file, state);
}

/** For readers other than the watchdog (metrics, status): never moves or writes anything. */
export function readWatchdogState(file: string): {
  state: WatchdogState | null;
  mtimeMs: number | null;
} {
  const read = readJson(file);
  let mtimeMs: number | null = null;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    mtimeMs = null;
  }
  return { state: read.status === 'ok' ? normalizeWatchdogState(read.value) : null, mtimeMs };
}
