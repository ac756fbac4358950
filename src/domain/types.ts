// Plain data shared by the decision core and the edges. No I/O here.

export type { EndpointKind } from './catalogues.js';
export type EndpointState = 'up' | 'starting' | 'down' | 'disabled';
export type ProbeErrorClass =
  'timeout' | 'refused' | 'http_error' | 'invalid_response' | 'no_models' | 'auth_required';
export type Trigger = 'schedule' | 'alert' | 'manual';
export type Mode = 'autonomous' | 'alert' | 'hybrid';

/** What a model server says about its own load; each part null when it does not say. */
export interface EndpointLoad {
  running: number | null;
  waiting: number | null;
  slots: { busy: number; idle: number } | null;
}

/** What the decision core knows about one endpoint. */
export interface EndpointView {
  id: string;
  baseUrl: string;
  enabled: boolean;
  state: EndpointState;
  healthy: boolean;
  configuredMaxParallel: number;
  recommendedParallel: number | null;
  effectiveMaxParallel: number;
  /** The server's own load at the last probe (absent or null: it reports none). */
  load?: EndpointLoad | null;
}

export interface WorkCounts {
  pending: number;
  in_progress: number;
  blocked: number;
  done: number;
  queued: number;
}

export interface PauseInfo {
  message: string;
  ageSec: number;
  manual: boolean;
  held: boolean;
  stale: boolean;
  /** Set when the flag could not be read; such a pause is treated as held. */
  error?: string;
}

/** One lane as read by an adapter. `error` set means it could not be read. */
export interface LaneSnapshot {
  id: string;
  enabled: boolean;
  owner: string;
  local: boolean;
  localOnly: boolean;
  endpointUrls: string[];
  running: boolean;
  pid: number | null;
  paused: boolean;
  pause: PauseInfo | null;
  work: WorkCounts;
  heartbeatAgeSec: number | null;
}

export interface LaneReadError {
  id: string;
  source: string;
  error: string;
}

export interface LaneBackoff {
  /** Failed or short-lived starts in a row: drives the backoff. */
  failures: number;
  /** Of those, start commands that failed (the rest died soon after starting): start_failing vs lane_crash_loop. */
  start_failures: number;
  backoff_until: string | null;
  last_start_at: string | null;
  /** A start that verified; the next time the lane is seen stopped decides whether it was short-lived. */
  awaiting_exit: boolean;
}

/**
 * What the guard remembers of a lane's progress between cycles: its work counts when they last
 * changed, and the stall it is in (if any), so `lane_stalled` is recorded once per stall.
 */
export interface LaneProgress {
  /** The work counts as last seen, `pending/in_progress/blocked/done/queued`. */
  work: string;
  /** When the work counts were first seen as they are now. */
  changedAt: string;
  /** When the lane was first found stalled in the stall it is in now; null when it is not stalled. */
  stalledSince: string | null;
  /** When laneguard last restarted the lane because it was stalled. */
  lastRestartAt: string | null;
}

export interface CircuitState {
  failure_times: string[];
  open_until: string | null;
}

export interface GuardState {
  version: 1;
  consecutive_idle_cycles: number;
  endpoint_floor_unmet_cycles: number;
  idle_cycles_total: number;
  cycles_total: number;
  last_cycle_at: string | null;
  last_cycle_id: string | null;
  last_ensure_at: string | null;
  last_escalate_at: string | null;
  active_anomalies: string[];
  lanes: Record<string, LaneBackoff>;
  /** Per-lane progress memory for stall detection. */
  progress: Record<string, LaneProgress>;
  circuit: CircuitState;
}

export const ANOMALIES = [
  'idle_while_endpoints_healthy',
  'persistent_idle_condition',
  'endpoint_floor_not_met',
  'self_healing_errors',
  'lane_crash_loop',
  'start_failing',
  'recovery_circuit_open',
] as const;
export type Anomaly = (typeof ANOMALIES)[number];

export const SKIP_REASONS = [
  'endpoint_floor_not_met',
  'endpoint_unhealthy',
  'manual_pause_active',
  'pause_held',
  'pause_active',
  'no_runnable_work',
  'backoff',
  'capacity_full',
  'endpoint_saturated',
  'circuit_open',
  'start_limit_reached',
  'observe_only',
  'not_targeted',
  // A stalled lane that is not restarted.
  'restart_not_enabled',
  'restart_limit_reached',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export function emptyWork(): WorkCounts {
  return { pending: 0, in_progress: 0, blocked: 0, done: 0, queued: 0 };
}

export function initialGuardState(): GuardState {
  return {
    version: 1,
    consecutive_idle_cycles: 0,
    endpoint_floor_unmet_cycles: 0,
    idle_cycles_total: 0,
    cycles_total: 0,
    last_cycle_at: null,
    last_cycle_id: null,
    last_ensure_at: null,
    last_escalate_at: null,
    active_anomalies: [],
    lanes: {},
    progress: {},
    circuit: { failure_times: [], open_until: null },
  };
}
