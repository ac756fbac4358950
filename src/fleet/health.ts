/** Hysteresis memory of one endpoint, carried from probe to probe. */
export interface HealthMemory {
  healthy: boolean;
  consecutiveReady: number;
  consecutiveNotReady: number;
  changedAt: string | null;
}

export interface HysteresisConfig {
  healthyAfter: number;
  unhealthyAfter: number;
}

export function initialHealth(): HealthMemory {
  return { healthy: false, consecutiveReady: 0, consecutiveNotReady: 0, changedAt: null };
}

/**
 * Healthy = ready for `healthyAfter` consecutive probes, and stays healthy until `unhealthyAfter`
 * consecutive probes were not ready: one lost probe does not flap decisions. Pure.
 */
export function nextHealth(
  prev: HealthMemory | undefined,
  ready: boolean,
  cfg: HysteresisConfig,
  at: string,
): HealthMemory {
  const p = prev ?? initialHealth();
  const consecutiveReady = ready ? p.consecutiveReady + 1 : 0;
  const consecutiveNotReady = ready ? 0 : p.consecutiveNotReady + 1;
  let healthy = p.healthy;
  if (!healthy && consecutiveReady >= cfg.healthyAfter) healthy = true;
  if (healthy && consecutiveNotReady >= cfg.unhealthyAfter) healthy = false;
  return {
    healthy,
    consecutiveReady,
    consecutiveNotReady,
    changedAt: healthy !== p.healthy ? at : p.changedAt,
  };
}
