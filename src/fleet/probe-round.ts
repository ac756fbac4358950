import type { EndpointConfig } from '../config/fleet-schema.js';
import type { EndpointKind } from '../domain/types.js';
import { mapConcurrent } from '../util/concurrent.js';
import { probeEndpoint } from './probe-endpoint.js';
import type { ProbeContext, ProbeResult } from './prober.js';

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
