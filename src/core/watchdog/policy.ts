// The watchdog's decision core: observation + memory + config + now → status and action. Pure.
import {
  emptyMemory,
  type Decision,
  type Observation,
  type PolicySpec,
  type ProcessMemory,
  type ProcessStatus,
  type RestartOutcome,
} from './types.js';

export type Cause = 'no_pid_file' | 'bad_pid_file' | 'pid_dead' | 'pid_foreign' | 'unhealthy';

export interface Problem {
  status: Extract<ProcessStatus, 'healthy' | 'down' | 'hung'>;
  cause: Cause | null;
  reason: string | null;
}

const at = (now: Date, sec: number): string => new Date(now.getTime() + sec * 1000).toISOString();

/** What an observation says, before memory is considered. */
export function describeObservation(obs: Observation): Problem {
  const l = obs.liveness;
  switch (l.kind) {
    case 'no_pid_file':
      return { status: 'down', cause: 'no_pid_file', reason: 'pid file missing' };
    case 'bad_pid_file':
      return { status: 'down', cause: 'bad_pid_file', reason: `pid file unusable: ${l.detail}` };
    case 'dead':
      return { status: 'down', cause: 'pid_dead', reason: `pid ${l.pid} is not running` };
    case 'foreign':
      return {
        status: 'down',
        cause: 'pid_foreign',
        reason: `pid ${l.pid} belongs to another process (command line does not match match_regex); not trusted, not signalled`,
      };
    case 'alive':
      if (obs.health && !obs.health.ok)
        return {
          status: 'hung',
          cause: 'unhealthy',
          reason: `alive but unhealthy: ${obs.health.reason}`,
        };
      return { status: 'healthy', cause: null, reason: null };
  }
}

/**
 * Backoff before the next attempt after `failures` failed restarts in a row: initial doubling to max,
 * times a jitter factor in [1 - ratio, 1 + ratio) (`rand` in [0, 1)), never above max.
 */
export function backoffDelaySec(
  failures: number,
  backoff: PolicySpec['backoff'],
  rand: number,
): number {
  if (failures <= 0) return 0;
  const nominal = Math.min(backoff.initialSec * 2 ** (failures - 1), backoff.maxSec);
  return Math.min(backoff.maxSec, nominal * (1 + backoff.jitterRatio * (2 * rand - 1)));
}

/** Attempts still inside the start_limit interval. */
export function attemptsInWindow(
  attempts: readonly string[],
  now: Date,
  intervalSec: number,
): string[] {
  return attempts.filter((t) => now.getTime() - Date.parse(t) < intervalSec * 1000);
}

/** Forget backoff, start_limit attempts and give-up; the restart counters stay (they are counters). */
export function resetMemory(memory: ProcessMemory): ProcessMemory {
  return {
    ...memory,
    consecutive_failures: 0,
    attempts: [],
    next_attempt_at: null,
    last_backoff_sec: null,
    gave_up_at: null,
  };
}

/** When a give-up has lasted the start_limit interval, the process gets a fresh start. */
export function givenUpUntil(memory: ProcessMemory, intervalSec: number): string | null {
  return memory.gave_up_at
    ? new Date(Date.parse(memory.gave_up_at) + intervalSec * 1000).toISOString()
    : null;
}

export interface PolicyContext {
  id: string;
  now: Date;
}

export function decideProcess(
  obs: Observation,
  previous: ProcessMemory | undefined,
  spec: PolicySpec,
  ctx: PolicyContext,
): Decision & { cause: Cause | null } {
  const { now } = ctx;
  let memory: ProcessMemory = { ...(previous ?? emptyMemory()), checked_at: now.toISOString() };
  const done = (
    status: ProcessStatus,
    reason: string | null,
    cause: Cause | null,
    action: Decision['action'] = { kind: 'none' },
  ) => ({
    status,
    reason,
    cause,
    action,
    memory: { ...memory, status, reason },
  });

  if (!spec.enabled)
    return done('disabled', spec.note ?? 'disabled in config (enabled: false)', null);

  const until = givenUpUntil(memory, spec.startLimit.intervalSec);
  if (until && Date.parse(until) <= now.getTime()) memory = resetMemory(memory);
  memory = {
    ...memory,
    attempts: attemptsInWindow(memory.attempts, now, spec.startLimit.intervalSec),
  };

  const problem = describeObservation(obs);
  const l = obs.liveness;
  if (problem.status === 'healthy' && l.kind === 'alive') {
    // Healthy again (by our restart or anyone's): the failure streak and any give-up end here.
    memory = {
      ...memory,
      pid: l.pid,
      consecutive_failures: 0,
      gave_up_at: null,
      last_backoff_sec: null,
    };
    return done('healthy', null, null);
  }
  memory = { ...memory, pid: l.kind === 'alive' ? l.pid : null };

  if (l.kind === 'alive' && l.ageSec !== null && l.ageSec < spec.startupGraceSec) {
    // Started moments ago (by someone else, or a launcher still settling): not hung yet.
    return done(
      'hung',
      `starting: ${problem.reason} (up ${Math.floor(l.ageSec)}s, startup_grace_sec ${spec.startupGraceSec})`,
      problem.cause,
    );
  }
  if (memory.gave_up_at) {
    const hint = `until ${givenUpUntil(memory, spec.startLimit.intervalSec)} or \`laneguard watchdog reset ${ctx.id}\``;
    return done(
      'given_up',
      `given up (start_limit ${spec.startLimit.burst} attempts in ${spec.startLimit.intervalSec}s exceeded; ${hint}): ${problem.reason}`,
      problem.cause,
    );
  }
  if (memory.next_attempt_at && Date.parse(memory.next_attempt_at) > now.getTime()) {
    return done(
      'backoff',
      `${problem.reason}; next restart attempt at ${memory.next_attempt_at}`,
      problem.cause,
    );
  }
  if (memory.attempts.length >= spec.startLimit.burst) {
    memory = { ...memory, gave_up_at: now.toISOString() };
    const hint = `until ${givenUpUntil(memory, spec.startLimit.intervalSec)} or \`laneguard watchdog reset ${ctx.id}\``;
    return done(
      'given_up',
      `given up (start_limit ${spec.startLimit.burst} attempts in ${spec.startLimit.intervalSec}s exceeded; ${hint}): ${problem.reason}`,
      problem.cause,
      { kind: 'give_up' },
    );
  }
  memory = {
    ...memory,
    attempts: [...memory.attempts, now.toISOString()],
    last_restart_at: now.toISOString(),
  };
  const terminate = l.kind === 'alive' ? { pid: l.pid, start: l.start } : null;
  return done(problem.status, problem.reason, problem.cause, { kind: 'restart', terminate });
}

/**
 * Fold a restart's verified outcome into memory. Success: the failure streak ends and the cooldown
 * starts. Failure: the jittered backoff grows. `now` is when the outcome was verified.
 */
export function afterRestart(
  memory: ProcessMemory,
  outcome: RestartOutcome,
  spec: PolicySpec,
  now: Date,
  rand: number,
): ProcessMemory {
  if (outcome.ok) {
    return {
      ...memory,
      status: 'healthy',
      reason: null,
      pid: outcome.pid,
      restarts_success: memory.restarts_success + 1,
      consecutive_failures: 0,
      next_attempt_at: spec.restartCooldownSec > 0 ? at(now, spec.restartCooldownSec) : null,
      last_backoff_sec: null,
      gave_up_at: null,
    };
  }
  const failures = memory.consecutive_failures + 1;
  const delay = Math.max(spec.restartCooldownSec, backoffDelaySec(failures, spec.backoff, rand));
  return {
    ...memory,
    status: 'backoff',
    reason: `restart failed: ${outcome.reason}; next restart attempt at ${at(now, delay)}`,
    pid: null,
    restarts_failure: memory.restarts_failure + 1,
    consecutive_failures: failures,
    next_attempt_at: at(now, delay),
    last_backoff_sec: Math.round(delay * 1000) / 1000,
  };
}
