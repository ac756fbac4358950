// Before deciding: what the lanes did since the last cycle (exits, stalls), folded into the guard
// state. Pure: the cycle and the previews (`replay --dry-run`) share it.
import type { GuardState, LaneReadError, LaneSnapshot } from '../../domain/types.js';
import {
  emptyBackoff,
  observeLanes,
  recordFailure,
  type BackoffConfig,
  type LaneExit,
} from './backoff.js';
import { observeStalls, type StallInfo } from './stall.js';

export interface ObserveConfig {
  stalled_after_sec: number;
  backoff: BackoffConfig;
}

/** Memory of lanes no longer in the fleet is dropped (unless the lane list could not be read). */
export function forgetRemoved<T>(
  memory: Readonly<Record<string, T>>,
  read: { lanes: readonly LaneSnapshot[]; errors: readonly LaneReadError[] },
): Record<string, T> {
  if (read.errors.some((e) => e.id === '*')) return { ...memory };
  const present = new Set([...read.lanes.map((l) => l.id), ...read.errors.map((e) => e.id)]);
  return Object.fromEntries(Object.entries(memory).filter(([id]) => present.has(id)));
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
  const stallsSeen = observeStalls(forgetRemoved(stored.progress, read), read.lanes, now, cfg);
  const stalledIds = new Set(stallsSeen.stalled.map((s) => s.lane));
  const { lanes, exits } = observeLanes(
    forgetRemoved(stored.lanes, read),
    read.lanes,
    now,
    cfg.backoff,
    stalledIds,
  );
  // A lane that stalls again soon after its restart backs off as a lane that dies after its start does.
  for (const s of stallsSeen.stalled)
    if (s.repeat) lanes[s.lane] = recordFailure(lanes[s.lane] ?? emptyBackoff(), now, cfg.backoff);
  return {
    state: { ...stored, lanes, progress: stallsSeen.progress },
    exits,
    stalls: stallsSeen.stalled,
  };
}
