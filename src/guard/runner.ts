import type { Trigger } from '../domain/types.js';
import { runCycle, type CycleRequest, type CycleResult, type GuardDeps } from './cycle.js';
import { acquireLock } from '../store/lock.js';

const TRIGGER_RANK: Record<Trigger, number> = { schedule: 0, alert: 1, manual: 2 };

/**
 * Fold requests that arrived during a cycle into one follow-up: the strongest trigger, the widest scope.
 * When only one of them acts, it alone decides what the cycle may do: a dry run asks for nothing to be
 * done, so its trigger, scope and force-unpause must not widen an acting request (a dry-run `manual`
 * folded into an observe-only schedule would otherwise act in `alert` mode).
 */
export function mergeRequests(a: CycleRequest, b: CycleRequest): CycleRequest {
  const aDry = a.dryRun === true;
  const bDry = b.dryRun === true;
  if (aDry !== bDry) {
    const acting = aDry ? b : a;
    return {
      ...acting,
      dryRun: false,
      forceUnpause: acting.forceUnpause ?? null,
      onlyLanes: acting.onlyLanes ?? null,
      restartLanes: acting.restartLanes ?? null,
      forceProbe: a.forceProbe === true || b.forceProbe === true,
    };
  }
  return {
    trigger: TRIGGER_RANK[b.trigger] > TRIGGER_RANK[a.trigger] ? b.trigger : a.trigger,
    dryRun: a.dryRun === true && b.dryRun === true,
    forceUnpause: a.forceUnpause ?? b.forceUnpause ?? null,
    onlyLanes:
      a.onlyLanes && b.onlyLanes ? [...new Set([...a.onlyLanes, ...b.onlyLanes])].sort() : null,
    restartLanes:
      a.restartLanes || b.restartLanes
        ? [...new Set([...(a.restartLanes ?? []), ...(b.restartLanes ?? [])])].sort()
        : null,
    forceProbe: a.forceProbe === true || b.forceProbe === true,
  };
}

export class LockBusyError extends Error {
  constructor(file: string, waitedMs: number) {
    super(`another guard cycle holds ${file} (waited ${Math.round(waitedMs / 1000)}s)`);
    this.name = 'LockBusyError';
  }
}

export interface CycleRunnerOptions {
  /** Current dependencies (they change on reload). */
  deps: () => GuardDeps;
  lockWaitMs: number;
  onResult?: (result: CycleResult) => void;
  onError?: (error: Error, request: CycleRequest) => void;
}

/**
 * Cycles never overlap: in this process one runs at a time, and across processes the root-wide lock
 * file serialises them. Requests arriving during a cycle coalesce into one follow-up cycle.
 */
export class CycleRunner {
  private running: Promise<CycleResult> | null = null;
  private pending: { request: CycleRequest; promise: Promise<CycleResult> } | null = null;

  constructor(private readonly options: CycleRunnerOptions) {}

  get busy(): boolean {
    return this.running !== null;
  }

  trigger(request: CycleRequest): Promise<CycleResult> {
    if (this.pending) {
      this.pending.request = mergeRequests(this.pending.request, request);
      return this.pending.promise;
    }
    if (!this.running) return this.start(request);
    const slot = { request, promise: undefined as unknown as Promise<CycleResult> };
    slot.promise = this.running
      .catch(() => undefined)
      .then(() => {
        this.pending = null;
        return this.start(slot.request);
      });
    this.pending = slot;
    return slot.promise;
  }

  /** Resolves when no cycle is running or queued (used on shutdown). */
  async idle(): Promise<void> {
    while (this.running || this.pending) {
      await (this.pending?.promise ?? this.running)?.catch(() => undefined);
    }
  }

  private start(request: CycleRequest): Promise<CycleResult> {
    const run = this.execute(request).finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  private async execute(request: CycleRequest): Promise<CycleResult> {
    const deps = this.options.deps();
    const lockFile = deps.config.paths.lock;
    let lock: Awaited<ReturnType<typeof acquireLock>>;
    try {
      lock = await acquireLock(lockFile, this.options.lockWaitMs);
    } catch (err) {
      // The lock could not be created (a full disk): no cycle can run, and that must show.
      deps.writes?.failed('lock', err as Error);
      this.options.onError?.(err as Error, request);
      throw err;
    }
    if (!lock) {
      const error = new LockBusyError(lockFile, this.options.lockWaitMs);
      this.options.onError?.(error, request);
      throw error;
    }
    try {
      const result = await runCycle(deps, request);
      this.options.onResult?.(result);
      return result;
    } catch (err) {
      this.options.onError?.(err as Error, request);
      throw err;
    } finally {
      lock.release();
    }
  }
}
