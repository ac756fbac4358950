import type { EndpointConfig } from '../config/fleet-schema.js';
import type { EndpointKind, ProbeErrorClass } from '../domain/types.js';
import type { Capabilities } from './capabilities.js';
import { nextScanAt } from './scan-schedule.js';
import type { ScanSection } from './status-file.js';

// The capability scan's records and section of `fleet_status.json`. Pure.

/** One endpoint in `fleet_status.json` → capability_scan.endpoints. */
export interface ScanRecord {
  id: string;
  base_url: string;
  /** The kind scanned (for `auto`, the kind detected). */
  kind: EndpointKind;
  ok: boolean;
  error: string | null;
  error_class: ProbeErrorClass | null;
  reason: string;
  /** This attempt. */
  scanned_at: string;
  /** The capabilities below were read at this time (kept from the last success when a scan fails). */
  last_success_at: string | null;
  models: string[];
  loaded_models: string[] | null;
  context_tokens: Record<string, number>;
  max_context_tokens: number | null;
  slots: number | null;
  configured_parallel: number;
  /** Discovered slots, else the configured max_parallel. */
  recommended_parallel: number;
  recommended_source: 'discovered' | 'configured';
  /** min(configured, recommended): what the guard's capacity gate uses. */
  effective_parallel: number;
  /** Failed scans in a row (drives the retry backoff). */
  failures: number;
  next_scan_at: string;
}

export type SummaryEntry = {
  recommended_parallel: number;
  max_context_tokens: number | null;
  configured_parallel: number;
  effective_parallel: number;
  recommended_source: 'discovered' | 'configured';
  slots: number | null;
  models_loaded: number | null;
  ok: boolean;
  scanned_at: string;
  last_success_at: string | null;
  next_scan_at: string;
};

/** Parallelism from the current config and the discovered slots. */
export function withParallel(record: ScanRecord, endpoint: EndpointConfig): ScanRecord {
  const configured = endpoint.max_parallel;
  const recommended = record.slots ?? configured;
  return {
    ...record,
    base_url: endpoint.base_url,
    configured_parallel: configured,
    recommended_parallel: recommended,
    recommended_source: record.slots !== null ? 'discovered' : 'configured',
    effective_parallel: Math.min(configured, recommended),
  };
}

type Known = Pick<
  ScanRecord,
  'models' | 'loaded_models' | 'context_tokens' | 'max_context_tokens' | 'slots'
>;

function knownFrom(read: Capabilities): Known {
  return {
    models: read.models,
    loaded_models: read.loadedModels,
    context_tokens: read.contextTokens,
    max_context_tokens: read.maxContextTokens,
    slots: read.slots,
  };
}

const NOTHING_KNOWN: Known = {
  models: [],
  loaded_models: null,
  context_tokens: {},
  max_context_tokens: null,
  slots: null,
};

/** A record from a fresh read; a failed read keeps the last known capabilities and backs off. */
export function scanRecord(
  endpoint: EndpointConfig,
  read: Capabilities & { kind: EndpointKind },
  prev: ScanRecord | undefined,
  now: Date,
  intervalSec: number,
): ScanRecord {
  const at = now.toISOString();
  const known: Known = read.ok ? knownFrom(read) : prev?.last_success_at ? prev : NOTHING_KNOWN;
  const failures = read.ok ? 0 : (prev?.failures ?? 0) + 1;
  const record: ScanRecord = {
    id: endpoint.id,
    base_url: endpoint.base_url,
    kind: read.kind === 'auto' && prev ? prev.kind : read.kind,
    ok: read.ok,
    error: read.ok ? null : read.reason,
    error_class: read.errorClass,
    reason: read.ok
      ? read.reason
      : `${read.reason} (failure ${failures} in a row; next try at ${nextScanAt(now, false, failures, intervalSec)})`,
    scanned_at: at,
    last_success_at: read.ok ? at : (prev?.last_success_at ?? null),
    models: known.models,
    loaded_models: known.loaded_models,
    context_tokens: known.context_tokens,
    max_context_tokens: known.max_context_tokens,
    slots: known.slots,
    configured_parallel: endpoint.max_parallel,
    recommended_parallel: endpoint.max_parallel,
    recommended_source: 'configured',
    effective_parallel: endpoint.max_parallel,
    failures,
    next_scan_at: nextScanAt(now, read.ok, failures, intervalSec),
  };
  return withParallel(record, endpoint);
}

export function summaryEntry(r: ScanRecord): SummaryEntry {
  return {
    recommended_parallel: r.recommended_parallel,
    max_context_tokens: r.max_context_tokens,
    configured_parallel: r.configured_parallel,
    effective_parallel: r.effective_parallel,
    recommended_source: r.recommended_source,
    slots: r.slots,
    models_loaded: r.loaded_models === null ? null : r.loaded_models.length,
    ok: r.ok,
    scanned_at: r.scanned_at,
    last_success_at: r.last_success_at,
    next_scan_at: r.next_scan_at,
  };
}

export function buildScanSection(records: ScanRecord[], at: string): ScanSection {
  const nextTimes = records.map((r) => r.next_scan_at).sort();
  return {
    timestamp: at,
    summary: {
      endpoint_total: records.length,
      endpoint_ok: records.filter((r) => r.ok).length,
      by_endpoint: Object.fromEntries(records.map((r) => [r.id, summaryEntry(r)])),
    },
    endpoints: records,
    next_scan_at: nextTimes[0] ?? null,
  };
}
