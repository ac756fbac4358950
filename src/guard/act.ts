// Carry out a plan: unpause, start, verify, ensure. Every outcome is data and a history event.
import type { LoadedConfig } from '../config/load.js';
import type { EndpointView, Trigger, WorkCounts } from '../domain/types.js';
import type { HistoryStore } from '../history/store.js';
import type { LaneAdapter, LaneRead } from '../lanes/adapter.js';
import { archivePause, readPause } from '../lanes/pause-files.js';
import type { Clock } from '../util/clock.js';
import { expandArgv } from '../actions/run.js';
import type { RunOptions, RunResult } from '../process/index.js';
import type { Plan, PlannedUnpause } from '../core/guard/policy.js';

export type Runner = (argv: readonly string[], options: RunOptions) => Promise<RunResult>;

export interface ActDeps {
  config: LoadedConfig;
  adapter: LaneAdapter;
  history: HistoryStore;
  clock: Clock;
  runner: Runner;
  /** Aborted when the daemon stops: commands in flight are cancelled, no new one is started. */
  signal?: AbortSignal;
}

export interface UnpausedEntry {
  id: string;
  reason: string;
  pause_age_sec: number;
  pause_message: string;
  archived_to: string | null;
  dry_run?: true;
}
export interface StartedEntry {
  id: string;
  score: number;
  endpoint_key: string | null;
  work: WorkCounts;
  pid?: number | null;
  dry_run?: true;
}
export interface FailedEntry {
  id: string;
  source: string;
  error: string;
  /** Last non-empty line the failed command printed (its error, usually), when it printed one. */
  last_line?: string;
}

/** The last non-empty line of a command's captured output. */
export function lastLine(output: string): string | null {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.at(-1) ?? null;
}

export interface ActOutcome {
  unpaused: UnpausedEntry[];
  started: StartedEntry[];
  failed: FailedEntry[];
  startFailed: string[];
  /** Of those, lanes whose start command itself failed (the rest started and died before verification). */
  startCommandFailed: string[];
  otherFailures: number;
  /** The lanes as re-read to verify starts (null when nothing was started). */
  after: LaneRead | null;
}

/** An outcome with nothing done yet. */
export function emptyOutcome(): ActOutcome {
  return {
    unpaused: [],
    started: [],
    failed: [],
    startFailed: [],
    startCommandFailed: [],
    otherFailures: 0,
    after: null,
  };
}

const TAIL = 2048;

/** Re-check a pause just before moving it: an operator may have turned it into a hold since the read. */
function stillClearable(deps: ActDeps, unpause: PlannedUnpause): string | null {
  const pause = readPause(
    deps.adapter.laneDir(unpause.id),
    deps.clock.now(),
    deps.config.guard.stale_manual_pause_sec,
  );
  if (!pause) return 'pause flag disappeared before it was cleared';
  if (unpause.reason === 'stale_manual_pause' && !pause.stale)
    return 'pause changed and is no longer a stale manual pause';
  return null;
}

function doUnpause(
  deps: ActDeps,
  unpause: PlannedUnpause,
  cycleId: string,
  outcome: ActOutcome,
): boolean {
  const problem = stillClearable(deps, unpause);
  if (problem) {
    outcome.failed.push({ id: unpause.id, source: 'unpause', error: problem });
    return false;
  }
  try {
    const archivedTo = archivePause(
      deps.adapter.laneDir(unpause.id),
      unpause.id,
      deps.config.paths.clearedPauses,
      deps.clock.now(),
    );
    const entry: UnpausedEntry = {
      id: unpause.id,
      reason: unpause.reason,
      pause_age_sec: unpause.pauseAgeSec,
      pause_message: unpause.pauseMessage,
      archived_to: archivedTo,
    };
    outcome.unpaused.push(entry);
    deps.history.append('lane_unpaused', {
      cycle_id: cycleId,
      lane: unpause.id,
      reason: unpause.reason,
      pause_age_sec: unpause.pauseAgeSec,
      pause_message: unpause.pauseMessage,
      archived_to: archivedTo,
    });
    return true;
  } catch (err) {
    outcome.failed.push({ id: unpause.id, source: 'unpause', error: (err as Error).message });
    outcome.otherFailures++;
    return false;
  }
}

export async function act(
  deps: ActDeps,
  plan: Plan,
  ctx: {
    cycleId: string;
    trigger: Trigger;
    dryRun: boolean;
    endpoints: readonly EndpointView[];
    work: Map<string, WorkCounts>;
  },
): Promise<ActOutcome> {
  const outcome = emptyOutcome();
  const { guard, root } = deps.config;
  if (ctx.dryRun) {
    for (const u of plan.unpauses)
      outcome.unpaused.push({
        id: u.id,
        reason: u.reason,
        pause_age_sec: u.pauseAgeSec,
        pause_message: u.pauseMessage,
        archived_to: null,
        dry_run: true,
      });
    for (const s of plan.starts)
      outcome.started.push({
        id: s.id,
        score: s.score,
        endpoint_key: s.endpointKey,
        work: ctx.work.get(s.id)!,
        dry_run: true,
      });
    return outcome;
  }
  const unpauseFailed = new Set<string>();
  for (const u of plan.unpauses)
    if (!doUnpause(deps, u, ctx.cycleId, outcome)) unpauseFailed.add(u.id);

  const launched: Array<{ id: string; result: RunResult }> = [];
  for (const start of plan.starts) {
    // laneguard is stopping: start no new command (the next run starts what is still due).
    if (deps.signal?.aborted) break;
    if (unpauseFailed.has(start.id)) continue;
    // Starts run one after another, each up to command_timeout_sec: an operator may have paused the
    // lane since it was read. Their pause wins (its own stale pause, if any, was archived above).
    if (
      readPause(deps.adapter.laneDir(start.id), deps.clock.now(), guard.stale_manual_pause_sec) !==
      null
    ) {
      outcome.failed.push({
        id: start.id,
        source: 'start',
        error: 'lane was paused before it was started; not started',
      });
      continue;
    }
    const endpoint = ctx.endpoints.find((e) => e.id === start.endpointKey);
    const argv = expandArgv(guard.lanes.start_command, {
      root,
      lane: start.id,
      endpoint: endpoint?.baseUrl ?? '',
    });
    // Written ahead: a run killed while the command runs leaves this intent for the next cycle to settle.
    deps.history.append('lane_start_requested', {
      cycle_id: ctx.cycleId,
      lane: start.id,
      trigger: ctx.trigger,
    });
    const result = await deps.runner(argv, {
      timeoutMs: guard.lanes.command_timeout_sec * 1000,
      cwd: root,
      keepBytes: TAIL,
      signal: deps.signal,
    });
    if (result.ok) launched.push({ id: start.id, result });
    else {
      startFailure(
        deps,
        outcome,
        ctx,
        start.id,
        result.exitCode,
        `${result.error ?? `exited ${result.exitCode ?? result.signal}`}`,
        result.output,
      );
      outcome.startCommandFailed.push(start.id);
    }
  }
  if (launched.length === 0) return outcome;

  // A start counts only if the lane is still running start_verify_sec later.
  await deps.clock.sleep(guard.start_verify_sec * 1000);
  const after = await deps.adapter.read(deps.clock.now());
  outcome.after = after;
  const byId = new Map(after.lanes.map((l) => [l.id, l]));
  for (const { id, result } of launched) {
    const lane = byId.get(id);
    const start = plan.starts.find((s) => s.id === id)!;
    if (lane?.running) {
      outcome.started.push({
        id,
        score: start.score,
        endpoint_key: start.endpointKey,
        work: ctx.work.get(id)!,
        pid: lane.pid,
      });
      deps.history.append('lane_started', {
        cycle_id: ctx.cycleId,
        lane: id,
        trigger: ctx.trigger,
        score: start.score,
        endpoint_key: start.endpointKey,
        pid: lane.pid,
      });
    } else {
      startFailure(
        deps,
        outcome,
        ctx,
        id,
        result.exitCode,
        `not running ${guard.start_verify_sec}s after the start command returned`,
        result.output,
      );
    }
  }
  return outcome;
}

function startFailure(
  deps: ActDeps,
  outcome: ActOutcome,
  ctx: { cycleId: string; trigger: Trigger },
  id: string,
  exitCode: number | null,
  error: string,
  output: string,
): void {
  const last = lastLine(output);
  outcome.failed.push({ id, source: 'start', error, ...(last ? { last_line: last } : {}) });
  outcome.startFailed.push(id);
  deps.history.append('lane_start_failed', {
    cycle_id: ctx.cycleId,
    lane: id,
    trigger: ctx.trigger,
    exit_code: exitCode,
    error,
    output: output.slice(-TAIL),
  });
}

export interface CommandOutcome {
  ran: boolean;
  ok: boolean | null;
  exit_code: number | null;
  reason?: string | null;
  dry_run?: true;
  error?: string | null;
}

/** Run the ensure or escalate argv (no placeholders but {root}). */
export async function runFleetCommand(
  deps: ActDeps,
  argv: readonly string[],
): Promise<{ result: RunResult; argv: string[] }> {
  const expanded = expandArgv(argv, { root: deps.config.root });
  const result = await deps.runner(expanded, {
    timeoutMs: deps.config.guard.lanes.command_timeout_sec * 1000,
    cwd: deps.config.root,
    keepBytes: TAIL,
    signal: deps.signal,
  });
  return { result, argv: expanded };
}
