// Synthetic fleets for benchmarks: many lanes over a few endpoints.
import { guardSchema } from '../src/config/guard-schema.js';
import {
  emptyWork,
  initialGuardState,
  type EndpointView,
  type LaneSnapshot,
} from '../src/domain/types.js';

export const config = guardSchema.parse({ max_auto_starts_per_cycle: 8 });
export const state = initialGuardState();
export const NOW = new Date('2026-06-01T12:00:00Z');

export function endpoints(n: number): EndpointView[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `ep-${i}`,
    baseUrl: `http://10.0.${Math.floor(i / 250)}.${i % 250}:1234/v1`,
    enabled: true,
    state: 'up',
    healthy: i % 5 !== 0,
    configuredMaxParallel: 4,
    recommendedParallel: null,
    effectiveMaxParallel: 4,
  }));
}

export function lanes(n: number, eps: EndpointView[]): LaneSnapshot[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `lane-${i}`,
    enabled: true,
    owner: `team-${i % 7}`,
    local: true,
    localOnly: true,
    endpointUrls: [eps[i % eps.length]!.baseUrl, eps[(i * 7 + 3) % eps.length]!.baseUrl],
    running: i % 3 === 0,
    pid: i % 3 === 0 ? 10_000 + i : null,
    paused: i % 11 === 0,
    pause:
      i % 11 === 0
        ? {
            message: 'manual pause',
            ageSec: 1200 + i,
            manual: true,
            held: i % 22 === 0,
            stale: i % 22 !== 0,
          }
        : null,
    work: {
      ...emptyWork(),
      pending: i % 4,
      in_progress: i % 2,
      blocked: i % 3,
      done: i,
      queued: i % 5,
    },
    heartbeatAgeSec: i % 60,
  }));
}
