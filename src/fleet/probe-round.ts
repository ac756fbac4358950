import type { EndpointConfig } from '../config/fleet-schema.js';
import { baseResult, type ProbeContext, type ProbeResult } from './prober.js';
import { PROBERS } from './probers/index.js';

/** Run `tasks` with at most `limit` in flight, keeping the input order in the results. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/**
 * Probe every endpoint concurrently, each bounded by its own timeout: one dead endpoint never
 * delays the others. Disabled endpoints are reported as such without a call.
 */
export async function probeRound(endpoints: readonly EndpointConfig[], ctx: ProbeContext, concurrency: number): Promise<ProbeResult[]> {
  return mapConcurrent(endpoints, concurrency, async (endpoint) => {
    if (!endpoint.enabled) {
      return { ...baseResult(endpoint, endpoint.kind, ctx), state: 'disabled' as const, reason: 'disabled in config' };
    }
    try {
      return await PROBERS[endpoint.kind](endpoint, ctx);
    } catch (err) {
      // A prober bug must not take the round down; it is reported like any failed probe.
      return { ...baseResult(endpoint, endpoint.kind, ctx), errorClass: 'invalid_response' as const, reason: `probe failed: ${(err as Error).message}` };
    }
  });
}
