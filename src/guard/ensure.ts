// The webhook's `ensure` action: the fleet's ensure command once, outside a cycle, behind the same
// gates as the cycle's ensure and under the root's cycle lock.
import type { EndpointView, Trigger } from '../domain/types.js';
import { runFleetCommand } from './act.js';
import type { GuardDeps } from './cycle.js';
import { ensureBlocked } from '../core/guard/ensure-gate.js';
import { acquireLock } from '../store/lock.js';
import { peekGuardState } from './state-store.js';

/** What one ensure run outside a cycle did. */
export interface EnsureResult {
  ran: boolean;
  ok: boolean | null;
  exit_code: number | null;
  /** Why it did not run: endpoint_floor_not_met, circuit_open, dry_run, lock_busy. */
  skipped: string | null;
}

export interface EnsureContext {
  deps: GuardDeps;
  /** Endpoint health as the daemon knows it now. */
  endpoints: () => readonly EndpointView[];
  /** Bring endpoint health up to date first (a probe when the last one is stale). */
  refresh: () => Promise<void>;
  /** Count the outcome (`recovery_actions_total{action="ensure"}`). */
  count: (result: 'success' | 'failure' | 'dry_run') => void;
  lockWaitMs?: number;
}

function gate(ctx: EnsureContext): string | null {
  const { config, clock } = ctx.deps;
  const now = clock.now();
  return ensureBlocked({
    healthyEndpoints: ctx.endpoints().filter((e) => e.enabled && e.healthy).length,
    minimumHealthy: config.guard.minimum_healthy_endpoints,
    circuit: peekGuardState(config.paths.state, now).circuit,
    dryRun: config.guard.dry_run,
    now,
  });
}

export async function ensureOutsideCycle(
  ctx: EnsureContext,
  trigger: Trigger,
): Promise<EnsureResult> {
  const { deps } = ctx;
  const skip = (reason: string): EnsureResult => {
    deps.history.append('ensure_skipped', { trigger, reason });
    if (reason === 'dry_run') ctx.count('dry_run');
    return { ran: false, ok: null, exit_code: null, skipped: reason };
  };
  await ctx.refresh();
  const blocked = gate(ctx);
  if (blocked) return skip(blocked);
  const lock = await acquireLock(deps.config.paths.lock, ctx.lockWaitMs ?? 10 * 60_000);
  if (!lock) return skip('lock_busy');
  try {
    // A cycle that held the lock may have changed the circuit or the floor meanwhile.
    const again = gate(ctx);
    if (again) return skip(again);
    const { result } = await runFleetCommand(deps, deps.config.guard.lanes.ensure_command);
    deps.history.append('ensure_ran', {
      trigger,
      reason: trigger,
      ok: result.ok,
      exit_code: result.exitCode,
      duration_ms: result.durationMs,
      error: result.error,
      output: result.output,
    });
    ctx.count(result.ok ? 'success' : 'failure');
    return { ran: true, ok: result.ok, exit_code: result.exitCode, skipped: null };
  } finally {
    lock.release();
  }
}
