import type { EndpointKind, EndpointState, ProbeErrorClass } from '../domain/types.js';
import type { CompletionOutcome } from '../fleet/completion.js';
import type { ProbeResult } from '../fleet/prober.js';
import { atomicWriteJson, readJson } from '../store/atomic.js';

// heartbeat_state.json: the last heartbeat of every `heartbeat: true` endpoint.

export interface KeepWarmRecord {
  model: string;
  ok: boolean;
  tokens: number;
  latency_ms: number;
  reason: string;
}

export interface HeartbeatEntry {
  endpoint: string;
  kind: EndpointKind;
  /** Up and serving: ready, and the keep-warm completion answered when one is configured. */
  ok: boolean;
  state: EndpointState;
  ready: boolean;
  reason: string;
  error_class: ProbeErrorClass | null;
  latency_ms: number | null;
  checked_at: string;
  last_success_at: string | null;
  /** When `ok` or `state` last changed. */
  last_change_at: string;
  consecutive_failures: number;
  keep_warm: KeepWarmRecord | null;
  /** Tokens spent by keep-warm completions since the entry was created. */
  tokens_total: number;
}

export interface HeartbeatState {
  version: 1;
  updated_at: string | null;
  endpoints: Record<string, HeartbeatEntry>;
}

export interface HeartbeatChange {
  endpoint: string;
  from_ok: boolean | null;
  to_ok: boolean;
  from_state: EndpointState | null;
  to_state: EndpointState;
  reason: string;
}

export function emptyHeartbeatState(): HeartbeatState {
  return { version: 1, updated_at: null, endpoints: {} };
}

/** Fold one heartbeat into the endpoint's entry; a change of `ok` or `state` is reported. Pure. */
export function observeHeartbeat(
  prev: HeartbeatEntry | undefined,
  probe: ProbeResult,
  keepWarm: CompletionOutcome | null,
  at: string,
): { entry: HeartbeatEntry; change: HeartbeatChange | null } {
  const ok = probe.up && (keepWarm ? keepWarm.ok : probe.ready);
  const reason =
    keepWarm && probe.up
      ? `${probe.reason}; keep-warm ${keepWarm.model}: ${keepWarm.ok ? `ok, ${keepWarm.tokens} tokens` : keepWarm.reason}`
      : probe.reason;
  const changed = !prev || prev.ok !== ok || prev.state !== probe.state;
  const entry: HeartbeatEntry = {
    endpoint: probe.endpointId,
    kind: probe.kind,
    ok,
    state: probe.state,
    ready: probe.ready,
    reason,
    error_class: ok
      ? null
      : probe.up && keepWarm && !keepWarm.ok
        ? keepWarm.errorClass
        : probe.errorClass,
    latency_ms: probe.latencyMs,
    checked_at: at,
    last_success_at: ok ? at : (prev?.last_success_at ?? null),
    last_change_at: changed ? at : prev.last_change_at,
    consecutive_failures: ok ? 0 : (prev?.consecutive_failures ?? 0) + 1,
    keep_warm: keepWarm
      ? {
          model: keepWarm.model,
          ok: keepWarm.ok,
          tokens: keepWarm.tokens,
          latency_ms: keepWarm.latencyMs,
          reason: keepWarm.reason,
        }
      : null,
    tokens_total: (prev?.tokens_total ?? 0) + (keepWarm?.tokens ?? 0),
  };
  const change = changed
    ? {
        endpoint: entry.endpoint,
        from_ok: prev?.ok ?? null,
        to_ok: ok,
        from_state: prev?.state ?? null,
        to_state: probe.state,
        reason,
      }
    : null;
  return { entry, change };
}

/** The state file; missing or unreadable reads as empty (the next heartbeat rewrites it). */
export function readHeartbeatState(file: string): HeartbeatState {
  const read = readJson(file);
  if (read.status !== 'ok') return emptyHeartbeatState();
  const value = read.value as Partial<HeartbeatState> | null;
  if (
    !value ||
    typeof value !== 'object' ||
    !value.endpoints ||
    typeof value.endpoints !== 'object'
  )
    return emptyHeartbeatState();
  return {
    version: 1,
    updated_at: typeof value.updated_at === 'string' ? value.updated_at : null,
    endpoints: value.endpoints,
  };
}

export function writeHeartbeatState(file: string, state: HeartbeatState): void {
  atomicWriteJson(file, state);
}
