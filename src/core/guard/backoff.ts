import type { CircuitState, GuardState, LaneBackoff, LaneSnapshot } from '../../domain/types.js';
import { copyOnWrite } from './copy-on-write.js';
import { LANES_PER_STEP, runToEnd, type Steps } from '../steps.js';

export interface BackoffConfig {
  initial_sec: number;
  max_sec: number;
  reset_after_sec: number;
}

export interface CircuitConfig {
  failures: number;
  window_sec: number;
  open_sec: number;
}

/** Consecutive failed or short-lived starts from which a lane counts as crash-looping. */
export const CRASH_LOOP_FAILURES = 3;

export function emptyBackoff(): LaneBackoff {
  return {
    failures: 0,
    start_failures: 0,
    backoff_until: null,
    last_start_at: null,
    awaiting_exit: false,
  };
}

const sec = (ms: number): number => ms / 1000;

export function backoffDelaySec(failures: number, cfg: BackoffConfig): number {
  return Math.min(cfg.initial_sec * 2 ** Math.max(0, failures - 1), cfg.max_sec);
}

export function inBackoff(entry: LaneBackoff | undefined, now: Date): boolean {
  return !!entry?.backoff_until && Date.parse(entry.backoff_until) > now.getTime();
}

export function backoffRemainingSec(entry: LaneBackoff | undefined, now: Date): number {
  if (!entry?.backoff_until) return 0;
  return Math.max(0, Math.ceil(sec(Date.parse(entry.backoff_until) - now.getTime())));
}

/** A failed start (`kind: 'start'`) or a start that died young (`'crash'`): both back off. */
export function recordFailure(
  entry: LaneBackoff,
  now: Date,
  cfg: BackoffConfig,
  kind: 'start' | 'crash' = 'crash',
): LaneBackoff {
  const failures = entry.failures + 1;
  return {
    ...entry,
    failures,
    start_failures: (entry.start_failures ?? 0) + (kind === 'start' ? 1 : 0),
    awaiting_exit: false,
    backoff_until: new Date(now.getTime() + backoffDelaySec(failures, cfg) * 1000).toISOString(),
  };
}

export interface LaneExit {
  lane: string;
  ranSec: number;
  shortLived: boolean;
}

/**
 * Before deciding: a lane we started that is no longer running either died young (a crash: back
 * off) or ran its course (reset). A lane that has run `reset_after_sec` is forgiven. Pure.
 */
export function observeLanes(
  lanes: Readonly<Record<string, LaneBackoff>>,
  snapshots: readonly LaneSnapshot[],
  now: Date,
  cfg: BackoffConfig,
  /** Lanes found stalled: running, but not doing anything, so their running does not earn forgiveness. */
  stalled: ReadonlySet<string> = new Set(),
): { lanes: Readonly<Record<string, LaneBackoff>>; exits: LaneExit[] } {
  return runToEnd(observeLanesSteps(lanes, snapshots, now, cfg, stalled));
}

/** `observeLanes` in steps of LANES_PER_STEP lanes (10,000 lanes are several ms of work). */
export function* observeLanesSteps(
  lanes: Readonly<Record<string, LaneBackoff>>,
  snapshots: readonly LaneSnapshot[],
  now: Date,
  cfg: BackoffConfig,
  stalled: ReadonlySet<string> = new Set(),
): Steps<{ lanes: Readonly<Record<string, LaneBackoff>>; exits: LaneExit[] }> {
  const next = copyOnWrite(lanes);
  const set = next.set;
  const exits: LaneExit[] = [];
  // Most lanes have no memory here: they are passed over without a lookup.
  const remembered = new Set(Object.keys(lanes));
  if (remembered.size === 0) return { lanes, exits };
  let n = 0;
  for (const lane of snapshots) {
    if (++n % LANES_PER_STEP === 0) yield;
    if (!remembered.has(lane.id)) continue;
    const entry = next.get(lane.id);
    if (
      entry &&
      entry.failures > 0 &&
      lane.running &&
      (!entry.awaiting_exit || !entry.last_start_at)
    ) {
      // Running although its last start failed (a slow start, or someone else started it): watch it
      // from now, so a run of reset_after_sec forgives it like any other; otherwise its failure count,
      // and lane_crash_loop, would stay for good.
      set(lane.id, { ...entry, last_start_at: now.toISOString(), awaiting_exit: true });
      continue;
    }
    if (!entry?.awaiting_exit || !entry.last_start_at) continue;
    const ranSec = sec(now.getTime() - Date.parse(entry.last_start_at));
    if (lane.running) {
      if (ranSec >= cfg.reset_after_sec && !stalled.has(lane.id))
        set(lane.id, {
          ...entry,
          failures: 0,
          start_failures: 0,
          backoff_until: null,
          awaiting_exit: false,
        });
      continue;
    }
    const shortLived = ranSec < cfg.reset_after_sec;
    exits.push({ lane: lane.id, ranSec: Math.round(ranSec), shortLived });
    set(
      lane.id,
      shortLived
        ? recordFailure(entry, now, cfg)
        : { ...entry, failures: 0, start_failures: 0, backoff_until: null, awaiting_exit: false },
    );
  }
  return { lanes: yield* next.result(), exits };
}

export function circuitOpen(circuit: CircuitState, now: Date): boolean {
  return !!circuit.open_until && Date.parse(circuit.open_until) > now.getTime();
}

/**
 * Count failed actions in a sliding window; more than `failures` opens the circuit for `open_sec`.
 * When an open period ends the slate is wiped (the next failures must build up again). Pure.
 */
export function updateCircuit(
  circuit: CircuitState,
  newFailures: number,
  now: Date,
  cfg: CircuitConfig,
): CircuitState {
  const nowMs = now.getTime();
  if (circuit.open_until && Date.parse(circuit.open_until) <= nowMs)
    circuit = { failure_times: [], open_until: null };
  const times = circuit.failure_times.filter((t) => nowMs - Date.parse(t) < cfg.window_sec * 1000);
  for (let i = 0; i < newFailures; i++) times.push(now.toISOString());
  const open_until =
    circuit.open_until ??
    (times.length > cfg.failures ? new Date(nowMs + cfg.open_sec * 1000).toISOString() : null);
  return { failure_times: times, open_until };
}

/** Lanes that started and died soon after, CRASH_LOOP_FAILURES times in a row (lane_crash_loop). */
export function crashLooping(state: Pick<GuardState, 'lanes'>): string[] {
  return Object.entries(state.lanes)
    .filter(([, b]) => b.failures - (b.start_failures ?? 0) >= CRASH_LOOP_FAILURES)
    .map(([id]) => id)
    .sort();
}

/** Lanes whose start command failed CRASH_LOOP_FAILURES times in a row (start_failing). */
export function startFailing(state: Pick<GuardState, 'lanes'>): string[] {
  return Object.entries(state.lanes)
    .filter(([, b]) => (b.start_failures ?? 0) >= CRASH_LOOP_FAILURES)
    .map(([id]) => id)
    .sort();
}
