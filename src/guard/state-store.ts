import { initialGuardState, type GuardState } from '../domain/types.js';
import { atomicWriteJson } from '../store/atomic.js';
import { loadStateFile, type LoadedStateFile } from '../store/state-file.js';

export type LoadedState = LoadedStateFile<GuardState>;

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
  return loadStateFile(file, now, initialGuardState, (value) => (isObject(value) ? normalize(value) : 'state is not a JSON object'));
}

export function saveGuardState(file: string, state: GuardState): void {
  atomicWriteJson(file, state);
}
