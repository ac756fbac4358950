import type { EndpointConfig } from '../config/fleet-schema.js';
import type { EndpointKind } from '../domain/types.js';
import { probeEndpoint } from './probe-endpoint.js';
import type { ProbeContext, ProbeResult } from './prober.js';

/** Run `fn` over `items` with at most `limit` in flight, keeping the input order in the results. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
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

export interface RoundOptions {
  /** Kinds detected earlier for `auto` endpoints, by endpoint id. */
  detected?: ReadonlyMap<string, EndpointKind>;
  /** Run configured canaries (default true). */
  canary?: boolean;
}

/**
 * Probe every endpoint concurrently, each bounded by its own timeout: one dead endpoint never
 * delays the others. Disabled endpoints are reported as such without a call.
 */
export async function probeRound(
  endpoints: readonly EndpointConfig[],
  ctx: ProbeContext,
  concurrency: number,
  options: RoundOptions = {},
): Promise<ProbeResult[]> {
  return mapConcurrent(endpoints, concurrency, (endpoint) =>
    probeEndpoint(
      endpoint,
      { ...ctx, detectedKind: options.detected?.get(endpoint.id) },
      { canary: options.canary },
    ),
  );
}
