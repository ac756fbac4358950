// After the actions: counters, backoff, circuit breaker and anomalies. Pure.
import { ANOMALIES, type Anomaly, type GuardState, type LaneBackoff } from '../../domain/types.js';
import {
  circuitOpen,
  crashLooping,
  emptyBackoff,
  recordFailure,
  startFailing,
  updateCircuit,
  type BackoffConfig,
  type CircuitConfig,
} from './backoff.js';
import type { Plan } from './policy.js';
import { markRestarted } from './stall.js';

export interface ActionTally {
  /** Lanes whose start verified (running after start_verify_sec). */
  startedOk: string[];
  /** Lanes whose start failed or did not verify. */
  startFailed: string[];
  /** Of those, lanes whose start command failed (start_failing); the others died young (lane_crash_loop). */
  startCommandFailed?: string[];
  /** Stalled lanes restarted (running again as a new process). */
  restartedOk?: string[];
  /** Stalled lanes whose restart failed: they back off like a failed start. */
  restartFailed?: string[];
  /** Stalled lanes whose old process was stopped (a later stall soon after is a repeat). */
  stopped?: string[];
  /** Other failed actions (unpause, ensure, escalate) that count toward the circuit breaker. */
  otherFailures: number;
  /** Lanes that could not be read this cycle. */
  readErrors: number;
  ensureRan: boolean;
  escalated: boolean;
}

export interface ConcludeConfig {
  idle_alert_threshold_cycles: number;
  backoff: BackoffConfig;
  circuit_breaker: CircuitConfig;
}

export interface Conclusion {
  state: GuardState;
  idle: boolean;
  idleWhileDemand: boolean;
  runningAfter: number;
  anomalies: Anomaly[];
  raised: Anomaly[];
  cleared: Anomaly[];
  crashLoopingLanes: string[];
  startFailingLanes: string[];
}

export function conclude(
  plan: Plan,
  tally: ActionTally,
  before: GuardState,
  now: Date,
  cfg: ConcludeConfig,
  ids: { cycleId: string; dryRun: boolean },
): Conclusion {
  const at = now.toISOString();
  const runningAfter = plan.runningBefore + tally.startedOk.length;

  // Only a running local lane resets the idle counter; an outage holds it and is counted apart.
  const idle = plan.floorMet && runningAfter === 0;
  let consecutive = before.consecutive_idle_cycles;
  if (runningAfter > 0) consecutive = 0;
  else if (plan.floorMet) consecutive += 1;
  const floorUnmetCycles = plan.floorMet ? 0 : before.endpoint_floor_unmet_cycles + 1;
  // Work held on purpose is not demand: it must not page anyone or trigger recovery.
  const idleWhileDemand = idle && plan.decisions.some((d) => d.hasWork && !d.held);

  const restartFailed = tally.restartFailed ?? [];
  const started = [...tally.startedOk, ...(tally.restartedOk ?? [])];
  const changesLanes =
    !ids.dryRun && tally.startFailed.length + restartFailed.length + started.length > 0;
  // The lanes' memory is copied only when this cycle changes it (it is never changed in place).
  const lanes: Record<string, LaneBackoff> = changesLanes ? { ...before.lanes } : before.lanes;
  let progress = before.progress;
  if (!ids.dryRun) {
    const commandFailed = new Set(tally.startCommandFailed ?? []);
    for (const id of tally.startFailed)
      lanes[id] = recordFailure(
        lanes[id] ?? emptyBackoff(),
        now,
        cfg.backoff,
        commandFailed.has(id) ? 'start' : 'crash',
      );
    for (const id of restartFailed)
      lanes[id] = recordFailure(lanes[id] ?? emptyBackoff(), now, cfg.backoff);
    // A restarted lane is watched like a started one: dying young backs it off.
    for (const id of started)
      lanes[id] = {
        ...(lanes[id] ?? emptyBackoff()),
        last_start_at: at,
        awaiting_exit: true,
        backoff_until: null,
      };
    progress = markRestarted(progress, tally.stopped ?? [], now);
  }
  const failures = ids.dryRun
    ? 0
    : tally.startFailed.length + restartFailed.length + tally.otherFailures;
  const circuit = updateCircuit(before.circuit, failures, now, cfg.circuit_breaker);
  const crashLoopingLanes = crashLooping({ lanes });
  const startFailingLanes = startFailing({ lanes });

  const active = new Set<Anomaly>();
  if (idle && plan.healthyEndpointKeys.length > 0) active.add('idle_while_endpoints_healthy');
  if (consecutive >= cfg.idle_alert_threshold_cycles) active.add('persistent_idle_condition');
  if (!plan.floorMet) active.add('endpoint_floor_not_met');
  if (tally.startFailed.length + restartFailed.length + tally.otherFailures + tally.readErrors > 0)
    active.add('self_healing_errors');
  if (crashLoopingLanes.length > 0) active.add('lane_crash_loop');
  if (startFailingLanes.length > 0) active.add('start_failing');
  if (circuitOpen(circuit, now)) active.add('recovery_circuit_open');
  const anomalies = ANOMALIES.filter((a) => active.has(a));
  const previous = new Set(before.active_anomalies);

  return {
    state: {
      ...before,
      consecutive_idle_cycles: consecutive,
      endpoint_floor_unmet_cycles: floorUnmetCycles,
      idle_cycles_total: before.idle_cycles_total + (idle ? 1 : 0),
      cycles_total: before.cycles_total + 1,
      last_cycle_at: at,
      last_cycle_id: ids.cycleId,
      last_ensure_at: tally.ensureRan ? at : before.last_ensure_at,
      last_escalate_at: tally.escalated ? at : before.last_escalate_at,
      active_anomalies: anomalies,
      lanes,
      progress,
      circuit,
    },
    idle,
    idleWhileDemand,
    runningAfter,
    anomalies,
    raised: anomalies.filter((a) => !previous.has(a)),
    cleared: ANOMALIES.filter((a) => previous.has(a) && !active.has(a)),
    crashLoopingLanes,
    startFailingLanes,
  };
}

/** Escalation runs while the idle condition persists, at most every `minIntervalSec`. */
export function escalationDue(
  anomalies: readonly Anomaly[],
  lastEscalateAt: string | null,
  now: Date,
  minIntervalSec: number,
): boolean {
  if (!anomalies.includes('persistent_idle_condition')) return false;
  return (
    lastEscalateAt === null || now.getTime() - Date.parse(lastEscalateAt) >= minIntervalSec * 1000
  );
}
