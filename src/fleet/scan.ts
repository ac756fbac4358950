import type { EndpointConfig } from '../config/fleet-schema.js';
import type { EndpointKind } from '../domain/types.js';
import type { HistoryStore } from '../history/store.js';
import type { WriteSink } from '../store/write-errors.js';
import type { Clock } from '../util/clock.js';
import type { Capabilities } from './capabilities.js';
import type { HttpClient } from './http.js';
import { mapConcurrent } from '../util/concurrent.js';
import type { ProbeContext } from './prober.js';
import { readCapabilities } from './probers/index.js';
import { buildScanSection, scanRecord, withParallel, type ScanRecord } from './scan-record.js';
import { endpointScanDue } from './scan-schedule.js';
import {
  readFleetStatus,
  writeScanSection,
  type FleetStatus,
  type ScanSection,
} from './status-file.js';

export interface ScanFleetOptions {
  endpoints: readonly EndpointConfig[];
  statusFile: string;
  http: HttpClient;
  clock: Clock;
  /** `fleet_capability_scan_interval_sec`: how long a successful scan stays fresh. */
  intervalSec: number;
  /** Scan every enabled endpoint now, ignoring freshness and backoff (the `scan` command). */
  force?: boolean;
  concurrency?: number;
  /** When given, `capability_changed` events record what changed. */
  history?: HistoryStore;
  /** Where a failed write of the status file goes; without it the failure throws. */
  writes?: WriteSink;
}

export interface CapabilityChange {
  endpoint: string;
  ok: boolean;
  from: {
    ok: boolean;
    recommended_parallel: number;
    effective_parallel: number;
    max_context_tokens: number | null;
  } | null;
  recommended_parallel: number;
  effective_parallel: number;
  max_context_tokens: number | null;
  reason: string;
}

export interface FleetScan {
  status: FleetStatus;
  section: ScanSection;
  /** Records of the endpoints scanned this time (in config order). */
  scanned: ScanRecord[];
  /** Every record now in the section. */
  records: ScanRecord[];
  changes: CapabilityChange[];
}

/** Records a previous scan wrote (anything else, e.g. another tool's shape, is scanned afresh). */
export function previousScanRecords(status: FleetStatus | null): Map<string, ScanRecord> {
  const list = status?.capability_scan?.endpoints;
  const byId = new Map<string, ScanRecord>();
  for (const r of Array.isArray(list) ? list : []) {
    const rec = r as Partial<ScanRecord> | null;
    if (
      rec &&
      typeof rec.id === 'string' &&
      typeof rec.scanned_at === 'string' &&
      Array.isArray(rec.models)
    )
      byId.set(rec.id, rec as ScanRecord);
  }
  return byId;
}

function hintFor(
  endpoint: EndpointConfig,
  prev: ScanRecord | undefined,
  status: FleetStatus | null,
): EndpointKind | undefined {
  if (endpoint.kind !== 'auto') return undefined;
  const probed = status?.probe?.endpoints.find((r) => r.id === endpoint.id)?.kind;
  const kind = prev?.kind !== 'auto' && prev?.kind ? prev.kind : probed;
  return kind && kind !== 'auto' ? kind : undefined;
}

async function readSafely(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
): Promise<Capabilities & { kind: EndpointKind }> {
  try {
    return await readCapabilities(endpoint, ctx);
  } catch (err) {
    return {
      ok: false,
      errorClass: 'invalid_response',
      reason: `scan failed: ${(err as Error).message}`,
      models: [],
      loadedModels: null,
      contextTokens: {},
      maxContextTokens: null,
      slots: null,
      kind: endpoint.kind,
    };
  }
}

function change(prev: ScanRecord | undefined, next: ScanRecord): CapabilityChange | null {
  const same =
    prev &&
    prev.ok === next.ok &&
    prev.recommended_parallel === next.recommended_parallel &&
    prev.effective_parallel === next.effective_parallel &&
    prev.max_context_tokens === next.max_context_tokens;
  if (same) return null;
  return {
    endpoint: next.id,
    ok: next.ok,
    from: prev
      ? {
          ok: prev.ok,
          recommended_parallel: prev.recommended_parallel,
          effective_parallel: prev.effective_parallel,
          max_context_tokens: prev.max_context_tokens,
        }
      : null,
    recommended_parallel: next.recommended_parallel,
    effective_parallel: next.effective_parallel,
    max_context_tokens: next.max_context_tokens,
    reason: next.reason,
  };
}

/**
 * Capability scan: read context length, loaded models and parallel slots of every enabled endpoint
 * that is due (all of them with `force`), and write the `capability_scan` section of
 * `fleet_status.json`, keeping the probe section. Endpoints not due keep their last record.
 * Never throws for an endpoint: a failed read is a record with `ok: false` and a retry time.
 */
export async function scanFleet(options: ScanFleetOptions): Promise<FleetScan> {
  const status = readFleetStatus(options.statusFile);
  const before = previousScanRecords(status);
  const now = options.clock.now();
  const enabled = options.endpoints.filter((e) => e.enabled);
  const due = enabled.filter(
    (e) => options.force === true || endpointScanDue(before.get(e.id), now, options.intervalSec),
  );
  const reads = await mapConcurrent(due, options.concurrency ?? 8, (endpoint) =>
    readSafely(endpoint, {
      http: options.http,
      now: () => options.clock.now(),
      detectedKind: hintFor(endpoint, before.get(endpoint.id), status),
    }),
  );
  const finished = options.clock.now();
  const scanned = due.map((endpoint, i) =>
    scanRecord(endpoint, reads[i]!, before.get(endpoint.id), finished, options.intervalSec),
  );
  const fresh = new Map(scanned.map((r) => [r.id, r]));
  const records = enabled
    .map(
      (e) => fresh.get(e.id) ?? (before.has(e.id) ? withParallel(before.get(e.id)!, e) : undefined),
    )
    .filter((r): r is ScanRecord => r !== undefined);
  const changes = scanned
    .map((r) => change(before.get(r.id), r))
    .filter((c): c is CapabilityChange => c !== null);
  for (const c of changes) options.history?.append('capability_changed', { ...c });
  const at = finished.toISOString();
  const section = buildScanSection(records, at);
  const written = writeScanSection(options.statusFile, section, at, options.writes);
  return { status: written, section, scanned, records, changes };
}
