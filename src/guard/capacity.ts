import type { EndpointView } from '../domain/types.js';

/** Running lanes per endpoint, so a start never goes beyond an endpoint's effective max_parallel. */
export class CapacityLedger {
  private readonly load = new Map<string, number>();
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
    const best = this.pick(endpointIds, (id) => healthy.has(id)) ?? this.pick(endpointIds, () => true);
    if (best !== null) this.load.set(best, (this.load.get(best) ?? 0) + 1);
    return best;
  }

  /** Reserve a slot for a lane about to start on one of its healthy endpoints; null when all are full. */
  reserve(endpointIds: readonly string[]): string | null {
    const best = this.pick(endpointIds, (id) => this.free(id) > 0);
    if (best !== null) this.load.set(best, (this.load.get(best) ?? 0) + 1);
    return best;
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
