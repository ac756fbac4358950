// Restart stalled lanes: re-check every gate right before acting, stop the lane with the fleet's own
// command, verify it is gone (else terminate its process tree), then start it as a normal start.
import { expandArgv } from '../actions/run.js';
import {
  descendants,
  identify,
  stillRunning,
  terminateTree,
  terminateVerified,
  type Identity,
} from '../process/index.js';
import type { LaneSnapshot, Trigger } from '../domain/types.js';
import { readFleetStatus } from '../fleet/status-file.js';
import { buildEndpointViews } from '../core/fleet/view.js';
import { readPause } from '../lanes/pause-files.js';
import type { ActDeps, FailedEntry } from './act.js';
import type { LaneDecision, Plan } from '../core/guard/policy.js';

export interface RestartedEntry {
  id: string;
  old_pid: number | null;
  pid?: number | null;
  heartbeat_age_sec: number;
  stalled_sec: number;
  /** How the old process went: `stop_command`, or `terminated` (TERM/KILL of its tree). */
  stopped_by?: 'stop_command' | 'terminated';
  dry_run?: true;
}

export interface RestartOutcome {
  restarted: RestartedEntry[];
  failed: FailedEntry[];
  /** Lanes whose old process was stopped (restarted or not): a later stall counts as a repeat. */
  stopped: string[];
  /** Lanes whose restart failed (stop or start): they back off. */
  restartFailed: string[];
  /** Lanes left alone because a gate changed since the decision, with why. */
  leftAlone: Array<{ id: string; reason: string }>;
}

const TAIL = 2048;
/** Between TERM and KILL when the stop command did not stop the lane. */
const TERM_GRACE_MS = 5000;

/** Why a planned restart must not happen now, judged on a fresh read; null when it still should. */
function stillStalled(
  deps: ActDeps,
  decision: LaneDecision,
  lane: LaneSnapshot | undefined,
): string | null {
  const { guard } = deps.config;
  if (!lane?.running) return 'lane is no longer running';
  if (lane.pid !== decision.stall?.pid) return `lane runs as another process now (pid ${lane.pid})`;
  if (lane.paused) return 'lane was paused';
  if (lane.heartbeatAgeSec === null || lane.heartbeatAgeSec < guard.stalled_after_sec)
    return 'lane heartbeats again';
  const endpoints = buildEndpointViews(
    deps.config.endpoints,
    readFleetStatus(deps.config.paths.fleetStatus),
  );
  if (endpoints.filter((e) => e.enabled && e.healthy).length < guard.minimum_healthy_endpoints)
    return 'endpoint floor no longer met';
  return null;
}

async function waitGone(tree: readonly Identity[], ms: number, deps: ActDeps): Promise<boolean> {
  const deadline = deps.clock.now().getTime() + ms;
  for (;;) {
    if (!tree.some((m) => stillRunning(m) !== null)) return true;
    if (deps.clock.now().getTime() >= deadline) return false;
    await deps.clock.sleep(200);
  }
}

/**
 * TERM → KILL whatever of the lane's tree (as seen before the stop) is still there: the lane's
 * process with everything under it, and children it left behind when it exited itself.
 */
async function terminateLeftovers(
  tree: readonly Identity[],
  deps: ActDeps,
): Promise<string | null> {
  const [root, ...rest] = tree;
  const options = { graceMs: TERM_GRACE_MS, clock: deps.clock };
  const problems: string[] = [];
  if (root && stillRunning(root)) {
    const r = await terminateTree(root, options);
    if (!r.ok) problems.push(r.reason ?? `pid ${root.pid} did not stop`);
  }
  for (const m of rest) {
    if (!stillRunning(m)) continue;
    const r = await terminateVerified(m, options);
    if (!r.ok) problems.push(r.reason ?? `pid ${m.pid} did not stop`);
  }
  return problems.length > 0 ? problems.join('; ') : null;
}

export async function restartStalled(
  deps: ActDeps,
  plan: Plan,
  ctx: { cycleId: string; trigger: Trigger; dryRun: boolean },
): Promise<RestartOutcome> {
  const outcome: RestartOutcome = {
    restarted: [],
    failed: [],
    stopped: [],
    restartFailed: [],
    leftAlone: [],
  };
  const { guard, root } = deps.config;
  for (const decision of plan.restarts) {
    // Shutting down: no new restart (a lane stopped before the abort is started by the next cycle).
    if (deps.signal?.aborted) break;
    const stall = decision.stall!;
    const entry: RestartedEntry = {
      id: decision.id,
      old_pid: stall.pid,
      heartbeat_age_sec: stall.heartbeatAgeSec,
      stalled_sec: stall.stalledSec,
    };
    if (ctx.dryRun) {
      outcome.restarted.push({ ...entry, dry_run: true });
      continue;
    }
    const fresh = (await deps.adapter.read(deps.clock.now())).lanes.find(
      (l) => l.id === decision.id,
    );
    const why = stillStalled(deps, decision, fresh);
    if (why) {
      outcome.leftAlone.push({ id: decision.id, reason: why });
      deps.history.append('lane_restart_skipped', {
        cycle_id: ctx.cycleId,
        lane: decision.id,
        trigger: ctx.trigger,
        reason: why,
      });
      continue;
    }
    const fail = (error: string, extra: Record<string, unknown> = {}): void => {
      outcome.failed.push({ id: decision.id, source: 'restart', error });
      outcome.restartFailed.push(decision.id);
      deps.history.append('lane_restart_failed', {
        cycle_id: ctx.cycleId,
        lane: decision.id,
        trigger: ctx.trigger,
        old_pid: stall.pid,
        error,
        ...extra,
      });
    };

    // The tree as judged, before the stop: children the lane leaves behind are stopped too.
    const lane = identify(stall.pid!);
    const tree = lane ? [lane, ...descendants(lane.pid)] : [];
    const stopBudgetMs = guard.lanes.stop_timeout_sec * 1000;
    const stopStarted = deps.clock.now().getTime();
    const stop = await deps.runner(
      expandArgv(guard.lanes.stop_command, { root, lane: decision.id }),
      { timeoutMs: stopBudgetMs, cwd: root, keepBytes: TAIL, signal: deps.signal },
    );
    const leftMs = Math.max(0, stopBudgetMs - (deps.clock.now().getTime() - stopStarted));
    let stoppedBy: RestartedEntry['stopped_by'] = 'stop_command';
    if (!(await waitGone(tree, leftMs, deps))) {
      stoppedBy = 'terminated';
      const problem = await terminateLeftovers(tree, deps);
      if (problem) {
        fail(`${problem}; not started again`, { stop_exit_code: stop.exitCode });
        continue;
      }
    }
    outcome.stopped.push(decision.id);

    // Started as any start is: unless an operator paused the lane meanwhile.
    if (
      readPause(
        deps.adapter.laneDir(decision.id),
        deps.clock.now(),
        guard.stale_manual_pause_sec,
      ) !== null
    ) {
      fail('lane was paused while it was being stopped; not started again', {
        stopped_by: stoppedBy,
      });
      continue;
    }
    const baseUrl =
      deps.config.endpoints.find((e) => e.id === decision.endpointKey)?.base_url ?? '';
    // Written ahead, as every start (guard/start-intents).
    deps.history.append('lane_start_requested', {
      cycle_id: ctx.cycleId,
      lane: decision.id,
      trigger: ctx.trigger,
      restart: true,
    });
    const start = await deps.runner(
      expandArgv(guard.lanes.start_command, { root, lane: decision.id, endpoint: baseUrl }),
      {
        timeoutMs: guard.lanes.command_timeout_sec * 1000,
        cwd: root,
        keepBytes: TAIL,
        signal: deps.signal,
      },
    );
    if (!start.ok) {
      fail(`start command ${start.error ?? `exited ${start.exitCode ?? start.signal}`}`, {
        stopped_by: stoppedBy,
        exit_code: start.exitCode,
        output: start.output.slice(-TAIL),
      });
      continue;
    }
    await deps.clock.sleep(guard.start_verify_sec * 1000);
    const after = (await deps.adapter.read(deps.clock.now())).lanes.find(
      (l) => l.id === decision.id,
    );
    if (!after?.running || after.pid === stall.pid) {
      fail(`not running ${guard.start_verify_sec}s after the start command returned`, {
        stopped_by: stoppedBy,
        exit_code: start.exitCode,
        output: start.output.slice(-TAIL),
      });
      continue;
    }
    outcome.restarted.push({ ...entry, pid: after.pid, stopped_by: stoppedBy });
    deps.history.append('lane_restarted', {
      cycle_id: ctx.cycleId,
      lane: decision.id,
      trigger: ctx.trigger,
      old_pid: stall.pid,
      pid: after.pid,
      stalled_sec: stall.stalledSec,
      stopped_by: stoppedBy,
      stop_exit_code: stop.exitCode,
      stop_timed_out: stop.timedOut,
    });
  }
  return outcome;
}
