import type { EndpointView } from '../../domain/types.js';

/**
 * Running lanes per endpoint, so a start never goes beyond an endpoint's effective max_parallel;
 * and starts per endpoint this cycle, so a server that reports its own load gets no more new lanes
 * than it has idle slots, and none while requests wait in its queue.
 */
export class CapacityLedger {
  private readonly load = new Map<string, number>();
  private readonly startedHere = new Map<string, number>();
  private readonly byId: Map<string, EndpointView>;

  constructor(endpoints: readonly EndpointView[]) {
    this.byId = new Map(endpoints.map((e) => [e.id, e]));
    for (const e of endpoints) this.load.set(e.id, 0);
  }

  free(id: string): number {
    const e = this.byId.get(id);
    return e ? e.effectiveMaxParallel - (this.load.get(id) ?? 0) : 0;
  }

  running(id: string): number {
    return this.load.get(id) ?? 0;
  }

  /**
   * Count a running lane against the least loaded of its healthy endpoints (a lane cannot be using a
   * dead one); when none is healthy, against the least loaded of the others.
   */
  placeRunning(endpointIds: readonly string[], healthy: ReadonlySet<string>): string | null {
    const best =
      this.pick(endpointIds, (id) => healthy.has(id)) ?? this.pick(endpointIds, () => true);
    if (best !== null) this.load.set(best, (this.load.get(best) ?? 0) + 1);
    return best;
  }

  /** Starts the server itself still takes this cycle: Infinity when it reports nothing. */
  serverRoom(id: string): number {
    const load = this.byId.get(id)?.load;
    if (!load) return Infinity;
    if ((load.waiting ?? 0) > 0) return 0;
    return load.slots ? load.slots.idle - (this.startedHere.get(id) ?? 0) : Infinity;
  }

  /** Reserve a slot for a lane about to start on one of its healthy endpoints; null when all are full. */
  reserve(endpointIds: readonly string[]): string | null {
    const best = this.pick(endpointIds, (id) => this.free(id) > 0 && this.serverRoom(id) > 0);
    if (best !== null) {
      this.load.set(best, (this.load.get(best) ?? 0) + 1);
      this.startedHere.set(best, (this.startedHere.get(best) ?? 0) + 1);
    }
    return best;
  }

  /** After a failed reserve: was a lane slot free, and only the server's own load said no? */
  saturated(endpointIds: readonly string[]): boolean {
    return endpointIds.some(
      (id) => this.byId.has(id) && this.free(id) > 0 && this.serverRoom(id) <= 0,
    );
  }

  private pick(ids: readonly string[], eligible: (id: string) => boolean): string | null {
    let best: string | null = null;
    for (const id of ids) {
      if (!this.byId.has(id) || !eligible(id)) continue;
      if (best === null || this.free(id) > this.free(best)) best = id;
    }
    return best;
  }
}
