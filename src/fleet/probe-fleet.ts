import type { EndpointConfig } from '../config/fleet-schema.js';
import type { EndpointKind } from '../domain/types.js';
import type { WriteSink } from '../store/write-errors.js';
import type { Clock } from '../util/clock.js';
import { nextHealth, type HysteresisConfig } from './health.js';
import type { HttpClient } from './http.js';
import type { ProbeResult } from './prober.js';
import { probeRound } from './probe-round.js';
import {
  probeRecord,
  readFleetStatus,
  writeProbeSection,
  type FleetStatus,
  type ProbeRecord,
} from './status-file.js';
import { applyWarmupGrace, notReadySince } from './warmup.js';

export interface EndpointTransition {
  endpoint: string;
  from_state: string | null;
  to_state: string;
  from_healthy: boolean | null;
  to_healthy: boolean;
  reason: string;
}

export interface FleetProbe {
  status: FleetStatus;
  /** Results as recorded (after the warm-up grace), in the order of `endpoints`. */
  results: ProbeResult[];
  records: ProbeRecord[];
  transitions: EndpointTransition[];
}

export interface ProbeFleetOptions {
  endpoints: readonly EndpointConfig[];
  statusFile: string;
  hysteresis: HysteresisConfig;
  concurrency: number;
  http: HttpClient;
  clock: Clock;
  /** Run configured canaries (default true; canaries are opt-in per endpoint anyway). */
  canary?: boolean;
  /** Where a failed write of the status file goes; without it the failure throws. */
  writes?: WriteSink;
}

/** Kinds detected for `auto` endpoints by the last round, so detection is not repeated every probe. */
function detectedKinds(
  endpoints: readonly EndpointConfig[],
  before: Map<string, ProbeRecord>,
): Map<string, EndpointKind> {
  const kinds = new Map<string, EndpointKind>();
  for (const endpoint of endpoints) {
    const kind = before.get(endpoint.id)?.kind;
    if (endpoint.kind === 'auto' && kind && kind !== 'auto') kinds.set(endpoint.id, kind);
  }
  return kinds;
}

/**
 * One probe round: probe, apply the warm-up grace and hysteresis against the last round, write the
 * probe section of `fleet_status.json` (the capability scan is kept) and list what changed.
 */
export async function probeFleet(options: ProbeFleetOptions): Promise<FleetProbe> {
  const previous = readFleetStatus(options.statusFile);
  const before = new Map((previous?.probe?.endpoints ?? []).map((r) => [r.id, r]));
  const ctx = { http: options.http, now: () => options.clock.now() };
  const raw = await probeRound(options.endpoints, ctx, options.concurrency, {
    detected: detectedKinds(options.endpoints, before),
    canary: options.canary,
  });
  const now = options.clock.now();
  const at = now.toISOString();
  const transitions: EndpointTransition[] = [];
  const results: ProbeResult[] = [];
  const records = options.endpoints.map((endpoint, i) => {
    const prev = before.get(endpoint.id);
    const since = endpoint.enabled ? notReadySince(prev, raw[i]!.ready, at) : null;
    const result = applyWarmupGrace(raw[i]!, since, endpoint.warmup_grace_sec, now);
    results.push(result);
    const health = endpoint.enabled
      ? nextHealth(prev?.health, result.ready, options.hysteresis, at)
      : nextHealth(undefined, false, options.hysteresis, at);
    const lastSuccess = result.ready ? result.probedAt : (prev?.last_success_at ?? null);
    const record = probeRecord(endpoint, result, health, lastSuccess, since);
    if (!prev || prev.state !== record.state || prev.healthy !== record.healthy) {
      transitions.push({
        endpoint: endpoint.id,
        from_state: prev?.state ?? null,
        to_state: record.state,
        from_healthy: prev?.healthy ?? null,
        to_healthy: record.healthy,
        reason: result.reason,
      });
    }
    return record;
  });
  const status = writeProbeSection(options.statusFile, records, at, options.writes);
  return { status, results, records, transitions };
}
