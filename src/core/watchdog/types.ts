// Plain data shared by the watchdog's decision core and its edges. No I/O here.

export type ProcessStatus = 'healthy' | 'down' | 'hung' | 'backoff' | 'given_up' | 'disabled';

/** What one look at a process found: liveness first, then (only when alive) health. */
export type Liveness =
  | { kind: 'no_pid_file' }
  | { kind: 'bad_pid_file'; detail: string }
  | { kind: 'dead'; pid: number }
  /** Alive, but its command line does not match `match_regex`: not ours, never signalled. */
  | { kind: 'foreign'; pid: number; cmdline: string }
  | { kind: 'alive'; pid: number; start: string | null; ageSec: number | null };

export type HealthResult = { ok: true } | { ok: false; reason: string };

export interface Observation {
  liveness: Liveness;
  /** null when no health check is configured or the process is not alive. */
  health: HealthResult | null;
}

/** What the watchdog remembers about one process across checks (stored in the state file). */
export interface ProcessMemory {
  status: ProcessStatus;
  reason: string | null;
  pid: number | null;
  restarts_success: number;
  restarts_failure: number;
  /** Failed restarts in a row: drives the backoff. */
  consecutive_failures: number;
  /** Restart attempts (ISO times) inside the start_limit interval. */
  attempts: string[];
  last_restart_at: string | null;
  next_attempt_at: string | null;
  last_backoff_sec: number | null;
  gave_up_at: string | null;
  checked_at: string | null;
}

export interface WatchdogState {
  version: 1;
  updated_at: string | null;
  /** Pid of the watchdog process (`run` or `once`) that wrote this state. */
  checked_by_pid: number | null;
  processes: Record<string, ProcessMemory>;
}

/** The subset of a process spec the decision core reads. */
export interface PolicySpec {
  enabled: boolean;
  /** Why laneguard disabled an entry the file enables (a heartbeat with nothing to keep warm). */
  note?: string | null;
  restartCooldownSec: number;
  startupGraceSec: number;
  backoff: { initialSec: number; maxSec: number; jitterRatio: number };
  startLimit: { burst: number; intervalSec: number };
}

export type Action =
  | { kind: 'none' }
  /** Restart; `terminate` names the verified pid to stop first (a hung process), else null. */
  | { kind: 'restart'; terminate: { pid: number; start: string | null } | null }
  | { kind: 'give_up' };

export interface Decision {
  status: ProcessStatus;
  reason: string | null;
  action: Action;
  memory: ProcessMemory;
}

export type RestartOutcome = { ok: true; pid: number } | { ok: false; reason: string };

export function emptyMemory(): ProcessMemory {
  return {
    status: 'down',
    reason: null,
    pid: null,
    restarts_success: 0,
    restarts_failure: 0,
    consecutive_failures: 0,
    attempts: [],
    last_restart_at: null,
    next_attempt_at: null,
    last_backoff_sec: null,
    gave_up_at: null,
    checked_at: null,
  };
}

export function initialWatchdogState(): WatchdogState {
  return { version: 1, updated_at: null, checked_by_pid: null, processes: {} };
}
