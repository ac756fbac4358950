import {
  initialGuardState,
  type CircuitState,
  type GuardState,
  type LaneBackoff,
  type LaneProgress,
} from '../domain/types.js';
import { atomicWriteFileAsync, atomicWriteJson, readJson } from '../store/atomic.js';
import { jsonFileTextSliced } from '../store/json-text.js';
import { READ_CAPS, readCapped } from '../store/bounded-read.js';
import { loadStateFile, type LoadedStateFile } from '../store/state-file.js';

export type LoadedState = LoadedStateFile<GuardState>;

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

const timeOrNull = (v: unknown): string | null =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : null;

/** One lane's backoff memory; anything that is not an object is dropped (the lane starts fresh). */
function normalizeLane(raw: unknown): LaneBackoff | null {
  if (!isObject(raw)) return null;
  const count = (v: unknown): number =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0;
  // Files written before the keys became snake_case (like the API) keep their memory.
  const key = (snake: string, camel: string): unknown => raw[snake] ?? raw[camel];
  return {
    failures: count(raw.failures),
    start_failures: count(raw.start_failures),
    backoff_until: timeOrNull(key('backoff_until', 'backoffUntil')),
    last_start_at: timeOrNull(key('last_start_at', 'lastStartAt')),
    awaiting_exit: key('awaiting_exit', 'awaitingExit') === true,
  };
}

function normalizeLanes(raw: unknown): GuardState['lanes'] {
  const lanes: GuardState['lanes'] = {};
  if (!isObject(raw)) return lanes;
  for (const [id, entry] of Object.entries(raw)) {
    const lane = normalizeLane(entry);
    if (lane) lanes[id] = lane;
  }
  return lanes;
}

/** Progress memory; an entry without a readable time is dropped (the lane is seen afresh). */
function normalizeProgress(raw: unknown): GuardState['progress'] {
  const progress: GuardState['progress'] = {};
  if (!isObject(raw)) return progress;
  for (const [id, entry] of Object.entries(raw)) {
    if (!isObject(entry) || typeof entry.work !== 'string') continue;
    const changedAt = timeOrNull(entry.changedAt);
    if (changedAt === null) continue;
    const lane: LaneProgress = {
      work: entry.work,
      changedAt,
      stalledSince: timeOrNull(entry.stalledSince),
      lastRestartAt: timeOrNull(entry.lastRestartAt),
    };
    progress[id] = lane;
  }
  return progress;
}

/** An unreadable open_until would keep the circuit from ever opening again (`open_until ?? …`): drop it. */
function normalizeCircuit(raw: unknown): CircuitState {
  const times = isObject(raw) ? (raw.failure_times ?? raw.failureTimes) : null;
  if (!isObject(raw) || !Array.isArray(times)) return { failure_times: [], open_until: null };
  return {
    failure_times: times.map(timeOrNull).filter((t): t is string => t !== null),
    open_until: timeOrNull(raw.open_until ?? raw.openUntil),
  };
}

/** Merge a stored state over the defaults, keeping only well-typed fields (older files lack some). */
function normalize(raw: Record<string, unknown>): GuardState {
  const base = initialGuardState();
  const num = (k: keyof GuardState): number =>
    typeof raw[k] === 'number' && Number.isFinite(raw[k])
      ? (raw[k] as number)
      : (base[k] as number);
  const str = (k: keyof GuardState): string | null =>
    typeof raw[k] === 'string' ? (raw[k] as string) : null;
  const lanes = normalizeLanes(raw.lanes);
  const circuit = normalizeCircuit(raw.circuit);
  return {
    ...base,
    consecutive_idle_cycles: num('consecutive_idle_cycles'),
    endpoint_floor_unmet_cycles: num('endpoint_floor_unmet_cycles'),
    idle_cycles_total: num('idle_cycles_total'),
    cycles_total: num('cycles_total'),
    last_cycle_at: str('last_cycle_at'),
    last_cycle_id: str('last_cycle_id'),
    // An unreadable time here would stop the interval ensure and the escalation for good (now − NaN).
    last_ensure_at: timeOrNull(raw.last_ensure_at),
    last_escalate_at: timeOrNull(raw.last_escalate_at),
    active_anomalies: Array.isArray(raw.active_anomalies)
      ? raw.active_anomalies.filter((a): a is string => typeof a === 'string')
      : [],
    lanes,
    progress: normalizeProgress(raw.progress),
    circuit,
  };
}

/**
 * The state this process last wrote, with the bytes it wrote. A cycle begins by loading the state;
 * when the file holds exactly those bytes it holds that state, and parsing and checking it again
 * (a few MB and tens of milliseconds at 10,000 lanes) is skipped. Any other write (another laneguard
 * process, an edit) changes the bytes, and the file is read as always. The state is never changed in
 * place (the guard's core copies what it changes), so handing it out again is safe.
 */
class WrittenState {
  private last: { file: string; bytes: Buffer; state: GuardState } | null = null;

  remember(file: string, bytes: Buffer, state: GuardState): void {
    this.last = { file, bytes, state };
  }

  forget(file: string): void {
    if (this.last?.file === file) this.last = null;
  }

  /** The state last written to `file`, when the file still holds exactly what was written. */
  match(file: string): GuardState | null {
    const last = this.last;
    if (last?.file !== file) return null;
    try {
      return readCapped(file, READ_CAPS.data).equals(last.bytes) ? last.state : null;
    } catch {
      return null;
    }
  }
}

const written = new WrittenState();

/** Read the guard state; a torn file is moved aside (never deleted) and the guard starts fresh. */
export function loadGuardState(file: string, now: Date): LoadedState {
  const same = written.match(file);
  if (same) return { state: same, repairedFrom: null, error: null };
  return loadStateFile(file, now, initialGuardState, (value) =>
    isObject(value) ? normalize(value) : 'state is not a JSON object',
  );
}

export function saveGuardState(file: string, state: GuardState): void {
  atomicWriteJson(file, state);
}

/** The same, with the write and fsync off the event loop (the daemon's cycle). */
export async function saveGuardStateAsync(file: string, state: GuardState): Promise<void> {
  // Encoded once: the bytes written are the bytes remembered.
  const bytes = Buffer.from(await jsonFileTextSliced(state));
  written.forget(file);
  await atomicWriteFileAsync(file, bytes);
  written.remember(file, bytes, state);
}

/** The guard state as stored, without repairing a torn file (for readers that change nothing). */
export function peekGuardState(file: string, now: Date): GuardState {
  const read = readJson(file);
  if (read.status === 'missing') return initialGuardState();
  const usable =
    read.status === 'ok' &&
    !!read.value &&
    typeof read.value === 'object' &&
    !Array.isArray(read.value);
  return usable ? loadGuardState(file, now).state : initialGuardState();
}
