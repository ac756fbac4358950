import { acquireLock } from '../store/lock.js';
import type { HistoryStore } from '../history/store.js';
import type { Clock } from '../util/clock.js';
import type { WatchdogConfig } from '../config/watchdog.js';
import { resetMemory } from '../core/watchdog/policy.js';
import { loadWatchdogState, saveWatchdogState } from './state.js';
import type { ProcessMemory } from '../core/watchdog/types.js';

export type ResetResult =
  { status: 'reset'; before: ProcessMemory | null } | { status: 'busy'; lockFile: string };

/** Forget a process's backoff, start_limit attempts and give-up, so the next check may restart it. */
export async function resetProcess(
  config: WatchdogConfig,
  id: string,
  deps: { clock: Clock; history: HistoryStore; lockWaitMs: number; by: string },
): Promise<ResetResult> {
  const lock = await acquireLock(config.lockFile, deps.lockWaitMs);
  if (!lock) return { status: 'busy', lockFile: config.lockFile };
  try {
    const { state } = loadWatchdogState(config.stateFile, deps.clock.now());
    const before = state.processes[id] ?? null;
    if (before) {
      const waiting = before.status === 'given_up' || before.status === 'backoff';
      const after = resetMemory(before);
      state.processes[id] = waiting
        ? {
            ...after,
            status: 'down',
            reason: 'reset by operator; the next check restarts it if it is still down',
          }
        : after;
      saveWatchdogState(config.stateFile, state);
    }
    deps.history.append('process_reset', {
      process: id,
      by: deps.by,
      was: before?.status ?? null,
      attempts: before?.attempts.length ?? 0,
      consecutive_failures: before?.consecutive_failures ?? 0,
    });
    return { status: 'reset', before };
  } finally {
    lock.release();
  }
}
