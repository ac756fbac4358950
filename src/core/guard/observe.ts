// Before deciding: what the lanes did since the last cycle (exits, stalls), folded into the guard
// state. Pure: the cycle and the previews (`replay --dry-run`) share it.
import type { GuardState, LaneReadError, LaneSnapshot } from '../../domain/types.js';
import {
  emptyBackoff,
  observeLanesSteps,
  recordFailure,
  type BackoffConfig,
  type LaneExit,
} from './backoff.js';
import { observeStallsSteps, type StallInfo } from './stall.js';
import { LANES_PER_STEP, runToEnd, type Steps } from '../steps.js';

export interface ObserveConfig {
  stalled_after_sec: number;
  backoff: BackoffConfig;
}

/**
 * Memory of lanes no longer in the fleet is dropped (unless the lane list could not be read). When
 * every lane remembered is still there, the memory itself comes back (it is never changed in place).
 */
export function forgetRemoved<T>(
  memory: Readonly<Record<string, T>>,
  read: { lanes: readonly LaneSnapshot[]; errors: readonly LaneReadError[] },
): Readonly<Record<string, T>> {
  return runToEnd(forgetRemovedSteps(memory, read, runToEnd(presentLanes(read))));
}

function* forgetRemovedSteps<T>(
  memory: Readonly<Record<string, T>>,
  read: { errors: readonly LaneReadError[] },
  present: ReadonlySet<string>,
): Steps<Readonly<Record<string, T>>> {
  if (read.errors.some((e) => e.id === '*')) return memory;
  let removed = false;
  let n = 0;
  for (const id in memory) {
    if (!present.has(id)) {
      removed = true;
      break;
    }
    if (++n % LANES_PER_STEP === 0) yield;
  }
  if (!removed) return memory;
  const kept: Record<string, T> = {};
  for (const id in memory) {
    if (present.has(id)) kept[id] = memory[id]!;
    if (++n % LANES_PER_STEP === 0) yield;
  }
  return kept;
}

function* presentLanes(read: {
  lanes: readonly LaneSnapshot[];
  errors: readonly LaneReadError[];
}): Steps<Set<string>> {
  const present = new Set<string>();
  let n = 0;
  for (const lane of read.lanes) {
    present.add(lane.id);
    if (++n % LANES_PER_STEP === 0) yield;
  }
  for (const error of read.errors) present.add(error.id);
  return present;
}

export interface Observed {
  state: GuardState;
  exits: LaneExit[];
  stalls: StallInfo[];
}

export function observe(
  stored: GuardState,
  read: { lanes: readonly LaneSnapshot[]; errors: readonly LaneReadError[] },
  now: Date,
  cfg: ObserveConfig,
): Observed {
  return runToEnd(observeSteps(stored, read, now, cfg));
}

/** `observe` in steps of a few hundred lanes (10,000 lanes are ~10 ms of work in all). */
export function* observeSteps(
  stored: GuardState,
  read: { lanes: readonly LaneSnapshot[]; errors: readonly LaneReadError[] },
  now: Date,
  cfg: ObserveConfig,
): Steps<Observed> {
  const present = yield* presentLanes(read);
  const stallsSeen = yield* observeStallsSteps(
    yield* forgetRemovedSteps(stored.progress, read, present),
    read.lanes,
    now,
    cfg,
  );
  const stalledIds = new Set(stallsSeen.stalled.map((s) => s.lane));
  const observed = yield* observeLanesSteps(
    yield* forgetRemovedSteps(stored.lanes, read, present),
    read.lanes,
    now,
    cfg.backoff,
    stalledIds,
  );
  // A lane that stalls again soon after its restart backs off as a lane that dies after its start does.
  const repeats = stallsSeen.stalled.filter((s) => s.repeat);
  let lanes = observed.lanes;
  if (repeats.length > 0) {
    const copy = { ...lanes };
    for (const s of repeats)
      copy[s.lane] = recordFailure(copy[s.lane] ?? emptyBackoff(), now, cfg.backoff);
    lanes = copy;
  }
  return {
    state: { ...stored, lanes, progress: stallsSeen.progress },
    exits: observed.exits,
    stalls: stallsSeen.stalled,
  };
}
