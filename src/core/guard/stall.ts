// Stalled lanes: alive, but neither heartbeating nor making progress. Pure, no I/O.
import { inBackoff } from './backoff.js';
import { copyOnWrite } from './copy-on-write.js';
import { LANES_PER_STEP, runToEnd, type Steps } from '../steps.js';
import type {
  LaneBackoff,
  LaneProgress,
  LaneSnapshot,
  SkipReason,
  WorkCounts,
} from '../../domain/types.js';

export interface StallConfig {
  stalled_after_sec: number;
  backoff: { reset_after_sec: number };
}

/** A running lane found stalled this cycle. */
export interface StallInfo {
  lane: string;
  pid: number | null;
  heartbeatAgeSec: number;
  /** How long the lane has shown no sign of work: the shorter of heartbeat age and time since its work last changed. */
  stalledSec: number;
  /** First seen stalled this cycle (the once-per-stall `lane_stalled` event). */
  newly: boolean;
  /** Stalled again soon after laneguard restarted it for a stall: it backs off like a crash loop. */
  repeat: boolean;
}

export function workSignature(w: WorkCounts): string {
  return `${w.pending}/${w.in_progress}/${w.blocked}/${w.done}/${w.queued}`;
}

const sec = (ms: number): number => Math.max(0, Math.floor(ms / 1000));

/**
 * Remember each lane's work counts and judge stalls. A lane is stalled when it runs, it has a
 * heartbeat file older than `stalled_after_sec`, and its work counts have not changed for that long
 * as remembered here. A lane seen for the first time counts as having changed now, so a guard that
 * just started never judges a stall on its first look. A lane without a heartbeat is never stalled.
 */
export function observeStalls(
  progress: Readonly<Record<string, LaneProgress>>,
  snapshots: readonly LaneSnapshot[],
  now: Date,
  cfg: StallConfig,
): { progress: Readonly<Record<string, LaneProgress>>; stalled: StallInfo[] } {
  return runToEnd(observeStallsSteps(progress, snapshots, now, cfg));
}

/** `observeStalls` in steps of LANES_PER_STEP lanes (10,000 lanes are ~10 ms of work). */
export function* observeStallsSteps(
  progress: Readonly<Record<string, LaneProgress>>,
  snapshots: readonly LaneSnapshot[],
  now: Date,
  cfg: StallConfig,
): Steps<{ progress: Readonly<Record<string, LaneProgress>>; stalled: StallInfo[] }> {
  const at = now.toISOString();
  const nowMs = now.getTime();
  // Over a quiet fleet the memory comes back as it was.
  const next = copyOnWrite(progress);
  const set = next.set;
  let n = 0;
  const stalled: StallInfo[] = [];
  // Most lanes share a handful of change times: each is parsed once.
  const parsed = new Map<string, number>();
  const msOf = (time: string): number => {
    let ms = parsed.get(time);
    if (ms === undefined) parsed.set(time, (ms = Date.parse(time)));
    return ms;
  };
  for (const lane of snapshots) {
    if (++n % LANES_PER_STEP === 0) yield;
    const work = workSignature(lane.work);
    const before = next.get(lane.id);
    const unchanged =
      before !== undefined && before.work === work && Number.isFinite(msOf(before.changedAt));
    const hb = lane.heartbeatAgeSec;
    // Whether a stall is possible at all, before the time since the last change is worked out.
    const mayStall = lane.running && hb !== null && hb >= cfg.stalled_after_sec;
    if (!mayStall && unchanged && before.stalledSince === null) continue; // the same entry, kept as it is
    const entry: LaneProgress = unchanged
      ? { ...before }
      : { work, changedAt: at, stalledSince: null, lastRestartAt: before?.lastRestartAt ?? null };
    const unchangedSec = sec(nowMs - msOf(entry.changedAt));
    const isStalled = mayStall && unchangedSec >= cfg.stalled_after_sec;
    if (!isStalled) {
      set(lane.id, { ...entry, stalledSince: null });
      continue;
    }
    const newly = entry.stalledSince === null;
    const sinceRestart = entry.lastRestartAt
      ? sec(nowMs - Date.parse(entry.lastRestartAt))
      : Infinity;
    // A restarted lane cannot be judged stalled before stalled_after_sec has passed: a stall within
    // reset_after_sec after that is the restart not helping.
    const repeat = newly && sinceRestart < cfg.stalled_after_sec + cfg.backoff.reset_after_sec;
    set(lane.id, { ...entry, stalledSince: entry.stalledSince ?? at });
    stalled.push({
      lane: lane.id,
      pid: lane.pid,
      heartbeatAgeSec: hb!,
      stalledSec: Math.min(hb!, unchangedSec),
      newly,
      repeat,
    });
  }
  return { progress: yield* next.result(), stalled };
}

/** After a restart: the lane starts a new life (its stall is over, the restart is remembered). */
export function markRestarted(
  progress: Readonly<Record<string, LaneProgress>>,
  lanes: readonly string[],
  now: Date,
): Record<string, LaneProgress> {
  const next = { ...progress };
  for (const id of lanes) {
    const entry = next[id];
    if (entry) next[id] = { ...entry, stalledSince: null, lastRestartAt: now.toISOString() };
  }
  return next;
}

interface RestartGateInput {
  state: { lanes: Readonly<Record<string, LaneBackoff>> };
  config: { restart_stalled: boolean };
  now: Date;
  onlyLanes?: readonly string[] | null;
  restartLanes?: readonly string[] | null;
}

/**
 * The one reason a stalled lane is not restarted, before the per-cycle cap. A paused or held lane
 * is the operator's: reported, never restarted. A lane whose endpoints are all down is not helped
 * by a restart. Scheduled and manual cycles restart only with `restart_stalled`; a lane named by a
 * `restart_lane` alert is restarted in any mode whose alerts act.
 */
export function restartGate(
  lane: LaneSnapshot,
  healthyEndpoints: number,
  input: RestartGateInput,
  ctx: { floorMet: boolean; circuitOpen: boolean; acts: boolean },
): SkipReason | null {
  if (!ctx.floorMet) return 'endpoint_floor_not_met';
  if (healthyEndpoints === 0) return 'endpoint_unhealthy';
  if (lane.paused) {
    if (lane.pause?.held ?? true) return 'pause_held';
    return lane.pause?.manual ? 'manual_pause_active' : 'pause_active';
  }
  if (inBackoff(input.state.lanes[lane.id], input.now)) return 'backoff';
  if (input.onlyLanes && !input.onlyLanes.includes(lane.id)) return 'not_targeted';
  if (ctx.circuitOpen) return 'circuit_open';
  if (!ctx.acts) return 'observe_only';
  if (!input.config.restart_stalled && !(input.restartLanes ?? []).includes(lane.id))
    return 'restart_not_enabled';
  return null;
}
