import {
  spawnDetached,
  terminateVerified,
  writePid,
  type ExitInfo,
  type Identity,
} from '../process/index.js';
import type { Clock } from '../util/clock.js';
import type { ProcessSpec } from '../config/watchdog.js';
import { checkHealth, observeLiveness, verifiedIdentity } from './observe.js';
import { describeObservation } from '../core/watchdog/policy.js';
import type { Liveness, Observation, RestartOutcome } from '../core/watchdog/types.js';

export interface RestartReport {
  outcome: RestartOutcome;
  /** Signals sent to the old (verified) process. */
  signals: NodeJS.Signals[];
  /** Pid of the command the watchdog spawned (a launcher may hand over to another pid). */
  spawnedPid: number | null;
}

function exitText(exit: ExitInfo | null): string {
  if (!exit) return '';
  return exit.signal
    ? `; the command was killed by ${exit.signal}`
    : `; the command exited with code ${exit.code}`;
}

/**
 * After the grace: when the pid file does not name a live matching process but the child we spawned
 * is one, the child is the process (it simply does not write a pid file): record its pid.
 */
function adoptSpawnedChild(
  spec: ProcessSpec,
  match: RegExp,
  liveness: Liveness,
  spawnedPid: number,
): Liveness {
  if (liveness.kind === 'alive' || !verifiedIdentity(spawnedPid, match)) return liveness;
  try {
    writePid(spec.pidFile, spawnedPid);
  } catch {
    return liveness;
  }
  return observeLiveness(spec.pidFile, match);
}

/**
 * Stop the verified old process (when hung), start `restart_command` detached, wait
 * `startup_grace_sec`, and call it a success only if the process is then alive and healthy.
 */
export async function restartProcess(
  spec: ProcessSpec,
  match: RegExp,
  terminate: Identity | null,
  clock: Clock,
): Promise<RestartReport> {
  let signals: NodeJS.Signals[] = [];
  if (terminate) {
    const stopped = await terminateVerified(terminate, {
      graceMs: spec.stopGraceSec * 1000,
      clock,
      matches: (info) => match.test(info.commandLine),
    });
    signals = stopped.signals;
    if (!stopped.ok)
      return {
        outcome: { ok: false, reason: stopped.reason ?? 'could not stop the hung process' },
        signals,
        spawnedPid: null,
      };
  }
  const spawned = await spawnDetached(spec.restartCommand, {
    cwd: spec.cwd,
    logFile: spec.logFile,
    banner: `--- ${clock.now().toISOString()} laneguard watchdog: starting ${JSON.stringify(spec.restartCommand)} in ${spec.cwd}`,
  });
  if (!spawned.ok)
    return { outcome: { ok: false, reason: spawned.error }, signals, spawnedPid: null };

  await clock.sleep(spec.startupGraceSec * 1000);
  const liveness = adoptSpawnedChild(
    spec,
    match,
    observeLiveness(spec.pidFile, match),
    spawned.pid,
  );
  const health =
    liveness.kind === 'alive' && spec.health ? await checkHealth(spec.health, clock.now()) : null;
  const observation: Observation = { liveness, health };
  const seen = describeObservation(observation);
  if (seen.status === 'healthy' && liveness.kind === 'alive')
    return { outcome: { ok: true, pid: liveness.pid }, signals, spawnedPid: spawned.pid };
  const reason = `${seen.reason} after startup_grace_sec ${spec.startupGraceSec}s${exitText(spawned.exit())}`;
  return { outcome: { ok: false, reason }, signals, spawnedPid: spawned.pid };
}
