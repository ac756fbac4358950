// The decision core: pure, no I/O. Given what was read, it says what is safe to do and why.
import type {
  EndpointView,
  GuardState,
  LaneSnapshot,
  Mode,
  SkipReason,
  Trigger,
} from '../../domain/types.js';
import { endpointIndex } from '../fleet/view.js';
import { runToEnd, type Steps } from '../steps.js';
import { circuitOpen, inBackoff } from './backoff.js';
import { CapacityLedger } from './capacity.js';
import { workScore } from './score.js';
import { restartGate, type StallInfo } from './stall.js';

export interface PolicyConfig {
  mode: Mode;
  minimum_healthy_endpoints: number;
  auto_unpause_local_lanes: boolean;
  max_auto_starts_per_cycle: number;
  allow_blocked_recovery: boolean;
  require_local_only: boolean;
  require_pending_work: boolean;
  queue_depth_enables_start: boolean;
  lane_id_allowlist: readonly string[];
  lane_id_denylist: readonly string[];
  restart_stalled: boolean;
  max_auto_restarts_per_cycle: number;
}

export interface DecideInput {
  lanes: readonly LaneSnapshot[];
  endpoints: readonly EndpointView[];
  state: GuardState;
  config: PolicyConfig;
  now: Date;
  trigger: Trigger;
  /** Operator request to clear this lane's pause whatever it is (`once --force-unpause`). */
  forceUnpause?: string | null;
  /** Limit actions to these lanes (alerts' `recover_lane`); null = all lanes. */
  onlyLanes?: readonly string[] | null;
  /** Running lanes found stalled this cycle (see guard/stall.ts). */
  stalls?: readonly StallInfo[];
  /** Lanes an alert asked to restart (`restart_lane`): restarted even without `restart_stalled`. */
  restartLanes?: readonly string[] | null;
}

export type UnpauseReason = 'stale_manual_pause' | 'force_unpause';

export interface PlannedUnpause {
  id: string;
  reason: UnpauseReason;
  pauseAgeSec: number;
  pauseMessage: string;
}

export interface LaneDecision {
  id: string;
  running: boolean;
  /** `skip` on a running lane: it is stalled and not restarted (the reason says why). */
  verdict: 'running' | 'start' | 'skip' | 'restart';
  reason: SkipReason | null;
  score: number;
  hasWork: boolean;
  /** Paused with a hold: its work is kept back on purpose and is not demand. */
  held: boolean;
  starved: boolean;
  /** The endpoint a running lane is counted against, or a starting lane is placed on. */
  endpointKey: string | null;
  /** Endpoint ids of the lane's URLs that match configured endpoints (all of them, in order). */
  endpointIds: string[];
  /** Set when the lane runs but is stalled. */
  stall: {
    heartbeatAgeSec: number;
    stalledSec: number;
    pid: number | null;
    endpointServing: boolean | null;
  } | null;
}

export interface Plan {
  /** False when the trigger only observes in this mode (schedule in `alert`, alert in `autonomous`). */
  acts: boolean;
  floorMet: boolean;
  circuitOpen: boolean;
  healthyEndpointKeys: string[];
  localLaneIds: string[];
  runningBefore: number;
  decisions: LaneDecision[];
  /** Lanes to start, highest score first. */
  starts: LaneDecision[];
  /** Stalled lanes to restart (stop, verify gone, start), longest stalled first. */
  restarts: LaneDecision[];
  /** Pauses to clear before the starts: stale ones of lanes about to start, and a forced one. */
  unpauses: PlannedUnpause[];
  /** Why a requested force-unpause is not done, when it is not. */
  forceUnpauseBlocked: string | null;
  /** Lanes running per endpoint after the planned starts. */
  endpointLoad: Record<string, number>;
}

/**
 * Whether a stalled lane's server is serving anything, where it reports its load: a hung lane on a
 * busy server waits on it; on an idle one it is stuck on its own. Null when the server does not say.
 */
function serving(endpoint: EndpointView | undefined): boolean | null {
  const load = endpoint?.load;
  if (!load) return null;
  if (load.running !== null) return load.running > 0;
  if (load.slots) return load.slots.busy > 0;
  return null;
}

export function triggerActs(mode: Mode, trigger: Trigger): boolean {
  if (trigger === 'manual') return true;
  if (trigger === 'schedule') return mode !== 'alert';
  return mode !== 'autonomous';
}

export function isLocalLane(lane: LaneSnapshot, cfg: PolicyConfig): boolean {
  if (!lane.enabled || !lane.local) return false;
  if (cfg.require_local_only && !lane.localOnly) return false;
  if (cfg.lane_id_allowlist.length > 0 && !cfg.lane_id_allowlist.includes(lane.id)) return false;
  return !cfg.lane_id_denylist.includes(lane.id);
}

/** The one reason a stopped lane is not a start candidate, before capacity and the start cap. */
function gateReason(
  lane: LaneSnapshot,
  healthyIds: string[],
  score: number,
  input: DecideInput,
  ctx: { floorMet: boolean; circuitOpen: boolean; acts: boolean; forced: boolean },
): SkipReason | null {
  const cfg = input.config;
  if (!ctx.floorMet) return 'endpoint_floor_not_met';
  if (healthyIds.length === 0) return 'endpoint_unhealthy';
  if (lane.paused && lane.pause && !ctx.forced) {
    if (lane.pause.held) return 'pause_held';
    if (!lane.pause.manual) return 'pause_active';
    if (!lane.pause.stale || !cfg.auto_unpause_local_lanes) return 'manual_pause_active';
  }
  if (cfg.require_pending_work && score === 0) return 'no_runnable_work';
  if (inBackoff(input.state.lanes[lane.id], input.now)) return 'backoff';
  if (input.onlyLanes && !input.onlyLanes.includes(lane.id)) return 'not_targeted';
  if (ctx.circuitOpen) return 'circuit_open';
  if (!ctx.acts) return 'observe_only';
  return null;
}

/** Lanes decided between two steps of `decideSteps`: at 10,000 lanes a whole decision is 7–15 ms. */
const STEP_LANES = 500;

/** The plan for one cycle, in one go. */
export function decide(input: DecideInput): Plan {
  return runToEnd(decideSteps(input));
}

/**
 * The plan for one cycle, in steps: the same plan as `decide`, with a pause every STEP_LANES
 * lanes where the cycle may hand the event loop back (`runSliced` in util/slice.ts).
 */
export function* decideSteps(input: DecideInput): Steps<Plan> {
  const { config: cfg, endpoints, now } = input;
  const healthy = endpoints.filter((e) => e.enabled && e.healthy);
  const healthyIds = new Set(healthy.map((e) => e.id));
  const floorMet = healthy.length >= cfg.minimum_healthy_endpoints;
  const isOpen = circuitOpen(input.state.circuit, now);
  const acts = triggerActs(cfg.mode, input.trigger);
  const local = input.lanes
    .filter((l) => isLocalLane(l, cfg))
    // By id in code-unit order: the same on every machine. (localeCompare followed the machine's
    // locale, and its first call loads a collator: ~10 ms of a one-shot `once` at 1,000 lanes.)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ledger = new CapacityLedger(endpoints);
  const endpointOf = endpointIndex(endpoints);

  // Lanes the guard does not manage (not local-only, disabled, outside the allow/deny lists) still
  // hold endpoint slots while they run: a start must not push an endpoint past max_parallel.
  for (const lane of input.lanes) {
    if (!lane.running || isLocalLane(lane, cfg)) continue;
    ledger.placeRunning(
      lane.endpointUrls.map(endpointOf).filter((id): id is string => id !== null),
      healthyIds,
    );
  }

  const forcedLane = input.forceUnpause
    ? local.find((l) => l.id === input.forceUnpause)
    : undefined;
  let forceUnpauseBlocked: string | null = null;
  if (input.forceUnpause) {
    if (!forcedLane) forceUnpauseBlocked = `no local lane "${input.forceUnpause}"`;
    else if (!forcedLane.paused) forceUnpauseBlocked = 'lane is not paused';
    else if (!floorMet)
      forceUnpauseBlocked = 'endpoint floor not met: nothing is unpaused this cycle';
    else if (isOpen) forceUnpauseBlocked = 'recovery circuit is open: no actions this cycle';
  }
  const forced = forcedLane !== undefined && forceUnpauseBlocked === null ? forcedLane.id : null;

  const stallOf = new Map((input.stalls ?? []).map((s) => [s.lane, s]));
  // Lanes share a few URL lists: each list's endpoint ids, and the healthy ones, are worked out
  // once (the arrays are shared between decisions and never changed).
  const idsByUrls = new Map<string, { all: string[]; healthy: string[] }>();
  const endpointIdsOf = (urls: readonly string[]): { all: string[]; healthy: string[] } => {
    const key = urls.length === 1 ? urls[0]! : urls.join('\n');
    let ids = idsByUrls.get(key);
    if (ids === undefined) {
      const all = urls.map(endpointOf).filter((id): id is string => id !== null);
      ids = { all, healthy: all.filter((id) => healthyIds.has(id)) };
      idsByUrls.set(key, ids);
    }
    return ids;
  };
  const decisions: LaneDecision[] = [];
  const restartCandidates: LaneDecision[] = [];
  const candidates: Array<{ decision: LaneDecision; healthyIds: string[]; lane: LaneSnapshot }> =
    [];
  let decided = 0;
  for (const lane of local) {
    if (++decided % STEP_LANES === 0) yield;
    const { all: endpointIds, healthy: laneHealthy } = endpointIdsOf(lane.endpointUrls);
    const score = workScore(lane, cfg);
    const hasWork = score > 0;
    const held = lane.paused && (lane.pause?.held ?? false);
    const decision: LaneDecision = {
      id: lane.id,
      running: lane.running,
      verdict: 'running',
      reason: null,
      score,
      hasWork,
      held,
      starved: !lane.running && hasWork && laneHealthy.length > 0 && !held,
      endpointKey: null,
      endpointIds,
      stall: null,
    };
    decisions.push(decision);
    if (lane.running) {
      decision.endpointKey = ledger.placeRunning(endpointIds, healthyIds);
      const stall = stallOf.get(lane.id);
      if (stall) {
        decision.stall = {
          heartbeatAgeSec: stall.heartbeatAgeSec,
          stalledSec: stall.stalledSec,
          pid: stall.pid,
          endpointServing: serving(endpoints.find((e) => e.id === decision.endpointKey)),
        };
        decision.reason = restartGate(lane, laneHealthy.length, input, {
          floorMet,
          circuitOpen: isOpen,
          acts,
        });
        decision.verdict = 'skip';
        if (decision.reason === null) restartCandidates.push(decision);
      }
      continue;
    }
    decision.verdict = 'skip';
    decision.reason = gateReason(lane, laneHealthy, score, input, {
      floorMet,
      circuitOpen: isOpen,
      acts,
      forced: forced === lane.id,
    });
    if (decision.reason === null) candidates.push({ decision, healthyIds: laneHealthy, lane });
  }

  // Highest score first, ties by id: the candidates are in id order already (`local` is), and the
  // sort is stable.
  candidates.sort((a, b) => b.decision.score - a.decision.score);
  const starts: LaneDecision[] = [];
  const unpauses: PlannedUnpause[] = [];
  if (forcedLane && forced) {
    unpauses.push({
      id: forcedLane.id,
      reason: 'force_unpause',
      pauseAgeSec: forcedLane.pause?.ageSec ?? 0,
      pauseMessage: forcedLane.pause?.message ?? '',
    });
  }
  for (const { decision, healthyIds: ids, lane } of candidates) {
    if (starts.length >= cfg.max_auto_starts_per_cycle) {
      decision.reason = 'start_limit_reached';
      continue;
    }
    const endpointKey = ledger.reserve(ids);
    if (endpointKey === null) {
      decision.reason = ledger.saturated(ids) ? 'endpoint_saturated' : 'capacity_full';
      continue;
    }
    decision.verdict = 'start';
    decision.endpointKey = endpointKey;
    starts.push(decision);
    // A stale pause is cleared only for a lane that is about to be started.
    if (lane.paused && lane.pause && forced !== lane.id) {
      unpauses.push({
        id: lane.id,
        reason: 'stale_manual_pause',
        pauseAgeSec: lane.pause.ageSec,
        pauseMessage: lane.pause.message,
      });
    }
  }

  // Longest stalled first: the lane that has wasted its slot the longest gets it back first.
  // (Ties by id: in id order already, and the sort is stable.)
  restartCandidates.sort((a, b) => b.stall!.stalledSec - a.stall!.stalledSec);
  const restarts: LaneDecision[] = [];
  for (const decision of restartCandidates) {
    if (restarts.length >= cfg.max_auto_restarts_per_cycle) {
      decision.reason = 'restart_limit_reached';
      continue;
    }
    decision.verdict = 'restart';
    restarts.push(decision);
  }

  const endpointLoad: Record<string, number> = {};
  for (const e of endpoints) endpointLoad[e.id] = ledger.running(e.id);
  return {
    acts,
    floorMet,
    circuitOpen: isOpen,
    healthyEndpointKeys: healthy.map((e) => e.id),
    localLaneIds: local.map((l) => l.id),
    runningBefore: local.filter((l) => l.running).length,
    decisions,
    starts,
    restarts,
    unpauses,
    forceUnpauseBlocked,
    endpointLoad,
  };
}

/** Ensure runs after a recovery or when its interval passed — never below the floor or while the circuit is open. */
export function ensureDue(
  plan: Plan,
  recovered: boolean,
  lastEnsureAt: string | null,
  now: Date,
  intervalSec: number,
): 'after_recovery' | 'interval' | null {
  if (!plan.acts || !plan.floorMet || plan.circuitOpen) return null;
  if (recovered) return 'after_recovery';
  if (lastEnsureAt === null || now.getTime() - Date.parse(lastEnsureAt) >= intervalSec * 1000)
    return 'interval';
  return null;
}
