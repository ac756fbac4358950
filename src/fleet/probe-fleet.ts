import type { EndpointConfig } from '../config/fleet-schema.js';
import type { Clock } from '../util/clock.js';
import { nextHealth, type HysteresisConfig } from './health.js';
import type { HttpClient } from './http.js';
import type { ProbeResult } from './prober.js';
import { probeRound } from './probe-round.js';
import { probeRecord, readFleetStatus, writeProbeSection, type FleetStatus, type ProbeRecord } from './status-file.js';

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
}

/** One probe round: probe, apply hysteresis against the last round, write `fleet_status.json`. */
export async function probeFleet(options: ProbeFleetOptions): Promise<FleetProbe> {
  const previous = readFleetStatus(options.statusFile);
  const before = new Map((previous?.probe?.endpoints ?? []).map((r) => [r.id, r]));
  const results = await probeRound(options.endpoints, { http: options.http, now: () => options.clock.now() }, options.concurrency);
  const at = options.clock.now().toISOString();
  const transitions: EndpointTransition[] = [];
  const records = options.endpoints.map((endpoint, i) => {
    const result = results[i]!;
    const prev = before.get(endpoint.id);
    // A warm-up grace keeps a freshly configured or restarting endpoint `starting`, not `down`.
    const withinGrace =
      endpoint.warmup_grace_sec > 0 && result.state === 'down' && prev?.health?.consecutiveReady === 0 && inGrace(prev, endpoint.warmup_grace_sec, options.clock.now());
    const effective: ProbeResult = withinGrace ? { ...result, state: 'starting', reason: `${result.reason} (within warm-up grace)` } : result;
    const health = endpoint.enabled ? nextHealth(prev?.health, effective.ready, options.hysteresis, at) : { ...nextHealth(undefined, false, options.hysteresis, at) };
    const lastSuccess = effective.ready ? effective.probedAt : (prev?.last_success_at ?? null);
    const record = probeRecord(endpoint, effective, health, lastSuccess);
    if (!prev || prev.state !== record.state || prev.healthy !== record.healthy) {
      transitions.push({
        endpoint: endpoint.id,
        from_state: prev?.state ?? null,
        to_state: record.state,
        from_healthy: prev?.healthy ?? null,
        to_healthy: record.healthy,
        reason: effective.reason,
      });
    }
    return record;
  });
  const status = writeProbeSection(options.statusFile, records, at);
  return { status, results, records, transitions };
}

/** The grace runs from the last time the endpoint was healthy or changed state. */
function inGrace(prev: ProbeRecord | undefined, graceSec: number, now: Date): boolean {
  const since = prev?.health?.changedAt ?? prev?.probed_at;
  if (!since) return true;
  return now.getTime() - Date.parse(since) < graceSec * 1000;
}
