import { initialGuardState, type GuardState } from '../domain/types.js';
import { atomicWriteJson, quarantine, readJson } from '../store/atomic.js';

export interface LoadedState {
  state: GuardState;
  /** Where a torn or invalid state file was moved, when it had to be. */
  repairedFrom: string | null;
  error: string | null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Merge a stored state over the defaults, keeping only well-typed fields (older files lack some). */
function normalize(raw: Record<string, unknown>): GuardState {
  const base = initialGuardState();
  const num = (k: keyof GuardState): number => (typeof raw[k] === 'number' && Number.isFinite(raw[k]) ? (raw[k] as number) : (base[k] as number));
  const str = (k: keyof GuardState): string | null => (typeof raw[k] === 'string' ? (raw[k] as string) : null);
  const lanes = isObject(raw.lanes) ? (raw.lanes as GuardState['lanes']) : {};
  const circuit = isObject(raw.circuit) && Array.isArray(raw.circuit.failureTimes) ? (raw.circuit as unknown as GuardState['circuit']) : base.circuit;
  return {
    ...base,
    consecutive_idle_cycles: num('consecutive_idle_cycles'),
    endpoint_floor_unmet_cycles: num('endpoint_floor_unmet_cycles'),
    idle_cycles_total: num('idle_cycles_total'),
    cycles_total: num('cycles_total'),
    last_cycle_at: str('last_cycle_at'),
    last_cycle_id: str('last_cycle_id'),
    last_ensure_at: str('last_ensure_at'),
    last_escalate_at: str('last_escalate_at'),
    active_anomalies: Array.isArray(raw.active_anomalies) ? raw.active_anomalies.filter((a): a is string => typeof a === 'string') : [],
    lanes,
    circuit,
  };
}

/** Read the guard state; a torn file is moved aside (never deleted) and the guard starts fresh. */
export function loadGuardState(file: string, now: Date): LoadedState {
  const read = readJson(file);
  if (read.status === 'missing') return { state: initialGuardState(), repairedFrom: null, error: null };
  if (read.status === 'ok' && isObject(read.value)) return { state: normalize(read.value), repairedFrom: null, error: null };
  const error = read.status === 'corrupt' ? read.error : 'state is not a JSON object';
  let moved: string | null = null;
  try {
    moved = quarantine(file, now);
  } catch {
    // Could not move it; the next atomic write replaces it anyway.
  }
  return { state: initialGuardState(), repairedFrom: moved, error };
}

export function saveGuardState(file: string, state: GuardState): void {
  atomicWriteJson(file, state);
}
