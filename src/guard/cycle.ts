// One guard cycle: gather → decide → act → persist → publish (the caller publishes the result).
import { randomBytes } from 'node:crypto';
import type { LoadedConfig } from '../config/load.js';
import type {
  EndpointView,
  GuardState,
  LaneReadError,
  LaneSnapshot,
  Trigger,
  WorkCounts,
} from '../domain/types.js';
import { probeFleet, type FleetProbe } from '../fleet/probe-fleet.js';
import type { HttpClient } from '../fleet/http.js';
import { readFleetStatus, type FleetStatus } from '../fleet/status-file.js';
import { buildEndpointViews } from '../core/fleet/view.js';
import type { HistoryStore } from '../history/store.js';
import type { LaneAdapter, LaneRead } from '../lanes/adapter.js';
import type { WriteSink } from '../store/write-errors.js';
import { historyLinesNewestFirst, parseEventLine } from '../history/read.js';
import {
  settleIntents,
  unsettledIntents,
  type Settlement,
  type StartIntent,
} from './start-intents.js';
import type { Clock } from '../util/clock.js';
import { act, runFleetCommand, type CommandOutcome, type Runner } from './act.js';
import { forgetRemoved, observeSteps } from '../core/guard/observe.js';
import { conclude, escalationDue, type Conclusion } from '../core/guard/conclude.js';
import { decideSteps, ensureDue, type Plan } from '../core/guard/policy.js';
import { persist } from './persist.js';
import { buildReportSteps, type CycleReport } from './report.js';
import { restartStalled } from './restart.js';
import { loadGuardState } from './state-store.js';
import { handBack, runSliced } from '../util/slice.js';

export interface GuardDeps {
  config: LoadedConfig;
  adapter: LaneAdapter;
  history: HistoryStore;
  clock: Clock;
  http: HttpClient;
  runner: Runner;
  /** Aborted when the daemon stops: fleet commands in flight are cancelled (their process trees ended). */
  signal?: AbortSignal;
  /** The daemon's shared probe (coalesces with its probe schedule); default: probe directly. */
  probe?: () => Promise<FleetProbe>;
  /** Failed writes of status, state and report go here and the cycle goes on; without it they throw. */
  writes?: WriteSink;
}

export interface CycleRequest {
  trigger: Trigger;
  dryRun?: boolean;
  forceUnpause?: string | null;
  /** Limit actions to these lanes (alerts' `recover_lane`); null = all lanes. */
  onlyLanes?: readonly string[] | null;
  /** Stalled lanes an alert asked to restart (`restart_lane`), restarted even without `restart_stalled`. */
  restartLanes?: readonly string[] | null;
  /** Probe now even if the last probe is fresh. */
  forceProbe?: boolean;
}

export interface CycleResult {
  report: CycleReport;
  state: GuardState;
  plan: Plan;
  conclusion: Conclusion;
  lanes: LaneSnapshot[];
  laneErrors: LaneReadError[];
  endpoints: EndpointView[];
  fleetStatus: FleetStatus | null;
  probe: FleetProbe | null;
}

/** Backoff memory of lanes no longer in the fleet is dropped (unless the lane list could not be read). */
export function forgetRemovedLanes(
  lanes: GuardState['lanes'],
  read: LaneRead,
): Readonly<GuardState['lanes']> {
  return forgetRemoved(lanes, read);
}

export function newCycleId(now: Date): string {
  return `${now.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
}

/** Latest probe results, probing now when they are older than the probe interval. */
export async function endpointView(
  deps: GuardDeps,
  force = false,
): Promise<{ status: FleetStatus | null; probe: FleetProbe | null }> {
  const { guard, paths, endpoints } = deps.config;
  const status = readFleetStatus(paths.fleetStatus);
  const probedAt = status?.probe?.timestamp ? Date.parse(status.probe.timestamp) : NaN;
  const ageMs = deps.clock.now().getTime() - probedAt;
  // A probe stamped in the future (the clock went back, or another host wrote it) is not fresh: it
  // would otherwise stand in for real probes until the clock caught up.
  const fresh =
    !force && Number.isFinite(ageMs) && ageMs >= 0 && ageMs < guard.fleet_probe_interval_sec * 1000;
  const known = new Set((status?.probe?.endpoints ?? []).map((e) => e.id));
  if (fresh && endpoints.every((e) => known.has(e.id))) return { status, probe: null };
  if (deps.probe) {
    const shared = await deps.probe();
    return { status: shared.status, probe: null };
  }
  const probe = await probeFleet({
    endpoints,
    statusFile: paths.fleetStatus,
    hysteresis: { healthyAfter: guard.healthy_after, unhealthyAfter: guard.unhealthy_after },
    concurrency: guard.probe_concurrency,
    http: deps.http,
    clock: deps.clock,
    writes: deps.writes,
  });
  for (const t of probe.transitions) deps.history.append('endpoint_state_changed', { ...t });
  return { status: probe.status, probe };
}

export async function runCycle(deps: GuardDeps, request: CycleRequest): Promise<CycleResult> {
  const { guard, paths } = deps.config;
  const started = performance.now();
  const now = deps.clock.now();
  const cycleId = newCycleId(now);
  const dryRun = request.dryRun === true || guard.dry_run;
  const notes: string[] = [];

  // Under the root lock: no other laneguard is mid-write, so a torn last line really is torn.
  deps.history.repair();
  const loaded = loadGuardState(paths.state, now);
  if (loaded.repairedFrom !== null || loaded.error !== null) {
    deps.history.append('state_repaired', {
      cycle_id: cycleId,
      file: paths.state,
      error: loaded.error,
      moved_to: loaded.repairedFrom,
    });
    notes.push(`state file was unreadable (${loaded.error}); started from fresh counters`);
  }
  const { status, probe } = await endpointView(deps, request.forceProbe);
  const endpoints = buildEndpointViews(deps.config.endpoints, status);
  const read = await deps.adapter.read(now);
  const readErrors = read.errors.map((e) => ({ id: e.id, source: e.source, error: e.error }));

  const settled = await settleInterruptedStarts(deps, read, loaded.state.lanes, now, cycleId);
  for (const id of settled.startedLate)
    notes.push(
      `${id}: a start interrupted in an earlier run was found running; recorded as started late`,
    );
  for (const id of settled.failed)
    notes.push(
      `${id}: a start interrupted in an earlier run did not bring the lane up; recorded as failed`,
    );
  // Between the steps the event loop is handed back: each is a few ms at 10,000 lanes, together
  // they are tens of ms that requests would wait for.
  await handBack();
  const observed = await runSliced(
    observeSteps({ ...loaded.state, lanes: settled.lanes }, read, now, guard),
  );
  for (const exit of observed.exits)
    deps.history.append('lane_exited', {
      cycle_id: cycleId,
      lane: exit.lane,
      ran_sec: exit.ranSec,
      short_lived: exit.shortLived,
    });
  for (const s of observed.stalls.filter((x) => x.newly))
    deps.history.append('lane_stalled', {
      cycle_id: cycleId,
      lane: s.lane,
      heartbeat_age_sec: s.heartbeatAgeSec,
      stalled_sec: s.stalledSec,
      pid: s.pid,
      repeat: s.repeat,
    });
  const stateBefore: GuardState = observed.state;

  await handBack();
  const plan = await runSliced(
    decideSteps({
      lanes: read.lanes,
      endpoints,
      state: stateBefore,
      config: guard,
      now,
      trigger: request.trigger,
      forceUnpause: request.forceUnpause ?? null,
      onlyLanes: request.onlyLanes ?? null,
      stalls: observed.stalls,
      restartLanes: request.restartLanes ?? null,
    }),
  );
  if (plan.forceUnpauseBlocked)
    notes.push(`--force-unpause ${request.forceUnpause}: not done, ${plan.forceUnpauseBlocked}`);

  await handBack();
  // The work counts of the lanes to start (the report shows them).
  const starting = new Set(plan.starts.map((s) => s.id));
  const work = new Map<string, WorkCounts>();
  for (const lane of read.lanes) if (starting.has(lane.id)) work.set(lane.id, lane.work);
  const outcome = await act(deps, plan, {
    cycleId,
    trigger: request.trigger,
    dryRun,
    endpoints,
    work,
  });
  const restarts = await restartStalled(deps, plan, { cycleId, trigger: request.trigger, dryRun });
  for (const left of restarts.leftAlone)
    notes.push(`restart of ${left.id} not done: ${left.reason}`);

  const recovered =
    outcome.started.length + outcome.unpaused.length + restarts.restarted.length > 0;
  const ensureWhy = ensureDue(
    plan,
    recovered,
    stateBefore.last_ensure_at,
    now,
    guard.ensure_interval_sec,
  );
  const ensure = await runOptionalCommand(
    deps,
    ensureWhy !== null ? guard.lanes.ensure_command : undefined,
    dryRun,
    'ensure_ran',
    cycleId,
    ensureWhy,
  );

  const tally = {
    startedOk: outcome.started.filter((s) => !s.dry_run).map((s) => s.id),
    startFailed: outcome.startFailed,
    startCommandFailed: outcome.startCommandFailed,
    restartedOk: restarts.restarted.filter((r) => !r.dry_run).map((r) => r.id),
    restartFailed: restarts.restartFailed,
    stopped: restarts.stopped,
    // A start that an interrupted run left unsettled and that failed counts towards the circuit too.
    otherFailures: outcome.otherFailures + (ensure.ok === false ? 1 : 0) + settled.failed.length,
    readErrors: readErrors.length,
    ensureRan: ensure.ran && !dryRun,
    escalated: false,
  };
  const finish = deps.clock.now();
  let conclusion = conclude(plan, tally, stateBefore, finish, guard, { cycleId, dryRun });

  let escalate: CommandOutcome = { ran: false, ok: null, exit_code: null };
  // Escalation is an action: never while the recovery circuit is open.
  if (
    plan.acts &&
    !plan.circuitOpen &&
    guard.escalate_command &&
    escalationDue(
      conclusion.anomalies,
      stateBefore.last_escalate_at,
      finish,
      guard.escalate_min_interval_sec,
    )
  ) {
    escalate = await runOptionalCommand(
      deps,
      guard.escalate_command,
      dryRun,
      'escalated',
      cycleId,
      'persistent_idle_condition',
    );
    if (escalate.ran && !dryRun) {
      conclusion = conclude(
        plan,
        {
          ...tally,
          escalated: true,
          otherFailures: tally.otherFailures + (escalate.ok === false ? 1 : 0),
        },
        stateBefore,
        finish,
        guard,
        { cycleId, dryRun },
      );
    }
  }

  const report = await runSliced(
    buildReportSteps({
      cycleId,
      at: finish.toISOString(),
      trigger: request.trigger,
      mode: guard.mode,
      dryRun,
      plan,
      outcome,
      restarts,
      readErrors,
      conclusion,
      ensure,
      escalate,
      durationMs: Math.round(performance.now() - started),
      onlyLanes: request.onlyLanes ?? null,
      notes,
    }),
  );
  await persist(deps, conclusion, report, cycleId);
  // Restarted lanes run as new processes: the cycle's lanes are re-read to show them.
  const after = restarts.restarted.some((r) => !r.dry_run)
    ? await deps.adapter.read(deps.clock.now())
    : outcome.after;
  const lanes = after && after.errors.length === 0 ? after.lanes : read.lanes;
  return {
    report,
    state: conclusion.state,
    plan,
    conclusion,
    lanes,
    laneErrors: read.errors,
    endpoints,
    fleetStatus: status,
    probe,
  };
}

/** Settle `lane_start_requested` intents that a killed run left without an outcome (see start-intents). */
async function settleInterruptedStarts(
  deps: GuardDeps,
  read: LaneRead,
  backoff: GuardState['lanes'],
  now: Date,
  cycleId: string,
): Promise<Settlement> {
  const { paths, guard } = deps.config;
  async function* events() {
    for await (const line of historyLinesNewestFirst(paths.history, guard.history.keep_files))
      yield line.text === null ? null : parseEventLine(line.text);
  }
  let intents: StartIntent[] = [];
  try {
    intents = await unsettledIntents(events());
  } catch {
    // An unreadable history must not stop the cycle: there is then nothing to settle from.
  }
  const settlement = settleIntents(intents, read.lanes, backoff, now, guard.backoff, cycleId);
  for (const e of settlement.events) deps.history.append(e.type, e.fields);
  return settlement;
}

async function runOptionalCommand(
  deps: GuardDeps,
  argv: readonly string[] | undefined,
  dryRun: boolean,
  event: string,
  cycleId: string,
  reason: string | null,
): Promise<CommandOutcome> {
  if (!argv) return { ran: false, ok: null, exit_code: null, reason };
  if (dryRun) return { ran: false, ok: null, exit_code: null, reason, dry_run: true };
  const { result } = await runFleetCommand(deps, argv);
  deps.history.append(event, {
    cycle_id: cycleId,
    reason,
    ok: result.ok,
    exit_code: result.exitCode,
    duration_ms: result.durationMs,
    error: result.error,
    output: result.output,
  });
  return { ran: true, ok: result.ok, exit_code: result.exitCode, reason, error: result.error };
}
