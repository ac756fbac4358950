import type { CircuitState } from '../../domain/types.js';
import { circuitOpen } from './backoff.js';

/** Why the fleet's ensure command may not run now. */
export type EnsureBlock = 'endpoint_floor_not_met' | 'circuit_open' | 'dry_run';

export interface EnsureGateInput {
  healthyEndpoints: number;
  minimumHealthy: number;
  circuit: CircuitState;
  dryRun: boolean;
  now: Date;
}

/**
 * The gates of an ensure run outside a cycle (the webhook's `ensure` action), in the order they are
 * reported: never below the endpoint floor, never while the recovery circuit is open, never in
 * dry-run. One rule for the daemon that runs it and for `replay`, which says what it would do.
 */
export function ensureBlocked(input: EnsureGateInput): EnsureBlock | null {
  if (input.healthyEndpoints < input.minimumHealthy) return 'endpoint_floor_not_met';
  if (circuitOpen(input.circuit, input.now)) return 'circuit_open';
  if (input.dryRun) return 'dry_run';
  return null;
}
