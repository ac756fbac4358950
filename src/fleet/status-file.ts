import type { EndpointConfig } from '../config/fleet-schema.js';
import type { EndpointKind, EndpointState, ProbeErrorClass } from '../domain/types.js';
import { atomicWriteJson, readJson } from '../store/atomic.js';
import { tolerantWrite, type WriteSink } from '../store/write-errors.js';
import type { HealthMemory } from './health.js';
import type { ServerLoad } from './load/types.js';
import type { ProbeResult } from './prober.js';

/** One endpoint in `fleet_status.json` → probe.endpoints (original fields first, then new ones). */
export interface ProbeRecord {
  id: string;
  base_url: string;
  role: string;
  enabled: boolean;
  ok: boolean;
  error: string | null;
  latency_ms: number | null;
  max_parallel: number;
  models: Array<{ id: string }>;
  kind: EndpointKind;
  state: EndpointState;
  ready: boolean;
  healthy: boolean;
  error_class: ProbeErrorClass | null;
  loaded_models: string[] | null;
  probed_at: string;
  last_success_at: string | null;
  health: HealthMemory;
  /** Readable outcome of the probe (also when ready). */
  reason: string;
  /** Start of the current not-ready streak (the warm-up grace runs from here); null while ready. */
  not_ready_since: string | null;
  /** Tokens spent by this probe's opt-in canary (0 without one). */
  tokens: number;
  /** The server's own load as last read with the probe; null when it reports none. */
  load: ServerLoad | null;
}

export interface ScanSection {
  timestamp: string;
  summary: {
    endpoint_total?: number;
    endpoint_ok?: number;
    by_endpoint: Record<
      string,
      {
        recommended_parallel: number | null;
        max_context_tokens: number | null;
        [k: string]: unknown;
      }
    >;
  };
  endpoints: unknown[];
  [k: string]: unknown;
}

export interface FleetStatus {
  timestamp: string;
  probe: {
    timestamp: string;
    summary: { endpoint_total: number; endpoint_healthy: number; endpoint_unhealthy: number };
    endpoints: ProbeRecord[];
  } | null;
  capability_scan: ScanSection | null;
  [k: string]: unknown;
}

/** Read the status file; a missing or torn file reads as "nothing known yet" (the next probe rewrites it). */
export function readFleetStatus(file: string): FleetStatus | null {
  const read = readJson(file);
  if (read.status !== 'ok' || !read.value || typeof read.value !== 'object') return null;
  const value = read.value as Partial<FleetStatus>;
  return {
    ...value,
    timestamp: typeof value.timestamp === 'string' ? value.timestamp : '',
    probe: value.probe && Array.isArray(value.probe.endpoints) ? value.probe : null,
    capability_scan:
      value.capability_scan && typeof value.capability_scan === 'object'
        ? value.capability_scan
        : null,
  };
}

export function probeRecord(
  endpoint: EndpointConfig,
  result: ProbeResult,
  health: HealthMemory,
  lastSuccessAt: string | null,
  notReadySince: string | null = null,
): ProbeRecord {
  return {
    id: endpoint.id,
    base_url: endpoint.base_url,
    role: endpoint.role,
    enabled: endpoint.enabled,
    ok: result.ready,
    error: result.ready ? null : result.reason || null,
    latency_ms: result.latencyMs,
    max_parallel: endpoint.max_parallel,
    models: result.models.map((id) => ({ id })),
    kind: result.kind,
    state: result.state,
    ready: result.ready,
    healthy: health.healthy && endpoint.enabled,
    error_class: result.errorClass,
    loaded_models: result.loadedModels,
    probed_at: result.probedAt,
    last_success_at: lastSuccessAt,
    health,
    reason: result.reason,
    not_ready_since: notReadySince,
    tokens: result.tokens,
    load: result.load,
  };
}

/** Write the probe section, keeping the capability scan (a probe never erases scan results). */
export function writeProbeSection(
  file: string,
  records: ProbeRecord[],
  at: string,
  writes?: WriteSink,
): FleetStatus {
  const current = readFleetStatus(file);
  const healthy = records.filter((r) => r.healthy).length;
  const enabled = records.filter((r) => r.enabled).length;
  const status: FleetStatus = {
    ...(current ?? {}),
    timestamp: at,
    probe: {
      timestamp: at,
      summary: {
        endpoint_total: enabled,
        endpoint_healthy: healthy,
        endpoint_unhealthy: enabled - healthy,
      },
      endpoints: records,
    },
    capability_scan: current?.capability_scan ?? null,
  };
  tolerantWrite('fleet_status', writes, () => atomicWriteJson(file, status));
  return status;
}

/** Write the capability scan section, keeping the latest probe. */
export function writeScanSection(
  file: string,
  scan: ScanSection,
  at: string,
  writes?: WriteSink,
): FleetStatus {
  const current = readFleetStatus(file);
  const status: FleetStatus = {
    ...(current ?? {}),
    timestamp: at,
    probe: current?.probe ?? null,
    capability_scan: scan,
  };
  tolerantWrite('fleet_status', writes, () => atomicWriteJson(file, status));
  return status;
}
