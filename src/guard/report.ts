import type { Anomaly, Mode, Trigger } from '../domain/types.js';
import type { ActOutcome, CommandOutcome, FailedEntry } from './act.js';
import type { Conclusion } from '../core/guard/conclude.js';
import type { Plan } from '../core/guard/policy.js';
import type { RestartedEntry, RestartOutcome } from './restart.js';
import { LANES_PER_STEP, type Steps } from '../core/steps.js';

/** `idle_guard_report.json` and `once --json`: the original's fields plus a few. */
export interface CycleReport {
  cycle_id: string;
  timestamp: string;
  ok: boolean;
  trigger: Trigger;
  mode: Mode;
  dry_run: boolean;
  local_lane_total: number;
  local_running_before: number;
  local_running_after: number;
  healthy_endpoint_count: number;
  healthy_endpoint_keys: string[];
  candidate_count: number;
  started_count: number;
  unpaused_count: number;
  failed_count: number;
  skipped_count: number;
  consecutive_idle_cycles: number;
  endpoint_floor_unmet_cycles: number;
  anomalies: Anomaly[];
  started: ActOutcome['started'];
  unpaused: ActOutcome['unpaused'];
  skipped: Array<{ id: string; reason: string }>;
  failed: FailedEntry[];
  ensure: CommandOutcome;
  // Added by laneguard.
  floor_met: boolean;
  acts: boolean;
  idle: boolean;
  idle_while_demand: boolean;
  duration_ms: number;
  escalate: CommandOutcome;
  only_lanes: string[] | null;
  notes: string[];
  /** Running lanes found stalled, with what was done about each (`restart`, or the skip reason). */
  stalled: Array<{
    id: string;
    pid: number | null;
    heartbeat_age_sec: number;
    stalled_sec: number;
    action: string;
    endpoint: string | null;
    endpoint_serving: boolean | null;
  }>;
  restarted: RestartedEntry[];
  restarted_count: number;
}

type ReportArgs = {
  cycleId: string;
  at: string;
  trigger: Trigger;
  mode: Mode;
  dryRun: boolean;
  plan: Plan;
  outcome: ActOutcome;
  restarts?: RestartOutcome;
  readErrors: FailedEntry[];
  conclusion: Conclusion;
  ensure: CommandOutcome;
  escalate: CommandOutcome;
  durationMs: number;
  onlyLanes: readonly string[] | null;
  notes: string[];
};

/** The cycle's report, in steps: one pass over the decisions, pausing every LANES_PER_STEP lanes. */
export function* buildReportSteps(args: ReportArgs): Steps<CycleReport> {
  const { plan, outcome, conclusion } = args;
  const startedIds = new Set(outcome.started.map((s) => s.id));
  const failedIds = new Set(outcome.failed.map((f) => f.id));
  const skipped: CycleReport['skipped'] = [];
  let candidateCount = 0;
  const stalled: CycleReport['stalled'] = [];
  let n = 0;
  for (const d of plan.decisions) {
    if (++n % LANES_PER_STEP === 0) yield;
    // Lanes that were planned but not started (failed) are reported as failed, not skipped.
    if (
      d.reason !== null &&
      (d.verdict === 'skip' ||
        (d.verdict === 'start' && !startedIds.has(d.id) && !failedIds.has(d.id)))
    )
      skipped.push({ id: d.id, reason: d.reason });
    if (
      d.verdict === 'start' ||
      d.reason === 'capacity_full' ||
      d.reason === 'endpoint_saturated' ||
      d.reason === 'start_limit_reached'
    )
      candidateCount++;
    if (d.stall !== null)
      stalled.push({
        id: d.id,
        pid: d.stall.pid,
        heartbeat_age_sec: d.stall.heartbeatAgeSec,
        stalled_sec: d.stall.stalledSec,
        action: d.verdict === 'restart' ? 'restart' : (d.reason ?? 'none'),
        endpoint: d.endpointKey,
        endpoint_serving: d.stall.endpointServing,
      });
  }
  const restarted = args.restarts?.restarted ?? [];
  // A fleet command that ran and failed is a failed action (§11: `once` exits 1), like a failed start.
  const failed = [
    ...args.readErrors,
    ...outcome.failed,
    ...(args.restarts?.failed ?? []),
    ...commandFailure('ensure', args.ensure),
    ...commandFailure('escalate', args.escalate),
  ];
  return {
    cycle_id: args.cycleId,
    timestamp: args.at,
    ok: failed.length === 0,
    trigger: args.trigger,
    mode: args.mode,
    dry_run: args.dryRun,
    local_lane_total: plan.localLaneIds.length,
    local_running_before: plan.runningBefore,
    local_running_after: conclusion.runningAfter,
    healthy_endpoint_count: plan.healthyEndpointKeys.length,
    healthy_endpoint_keys: plan.healthyEndpointKeys,
    candidate_count: candidateCount,
    started_count: outcome.started.length,
    unpaused_count: outcome.unpaused.length,
    failed_count: failed.length,
    skipped_count: skipped.length,
    consecutive_idle_cycles: conclusion.state.consecutive_idle_cycles,
    endpoint_floor_unmet_cycles: conclusion.state.endpoint_floor_unmet_cycles,
    anomalies: conclusion.anomalies,
    started: outcome.started,
    unpaused: outcome.unpaused,
    skipped,
    failed,
    ensure: args.ensure,
    floor_met: plan.floorMet,
    acts: plan.acts,
    idle: conclusion.idle,
    idle_while_demand: conclusion.idleWhileDemand,
    duration_ms: args.durationMs,
    escalate: args.escalate,
    only_lanes: args.onlyLanes ? [...args.onlyLanes] : null,
    notes: args.notes,
    stalled,
    restarted,
    restarted_count: restarted.length,
  };
}

function commandFailure(source: 'ensure' | 'escalate', outcome: CommandOutcome): FailedEntry[] {
  if (!outcome.ran || outcome.ok !== false) return [];
  return [
    {
      id: '*',
      source,
      error:
        outcome.error ?? `${source}_command exited ${outcome.exit_code ?? 'without an exit code'}`,
    },
  ];
}

/** Skip reasons with counts, for the history `cycle` event. */
export function skipCounts(report: CycleReport): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of report.skipped) counts[s.reason] = (counts[s.reason] ?? 0) + 1;
  return counts;
}

/** Lanes still stalled after the cycle: found stalled and not restarted. */
export function stalledAfter(report: Pick<CycleReport, 'stalled' | 'restarted'>): Set<string> {
  const restarted = new Set(report.restarted.filter((r) => !r.dry_run).map((r) => r.id));
  return new Set(report.stalled.map((s) => s.id).filter((id) => !restarted.has(id)));
}
