import type { FleetStatus } from './status-file.js';

// When a capability scan is due. Pure: the daemon asks `scanDue` on its schedule; `scanFleet` then
// scans only the endpoints that are due (the `scan` command scans all of them).
//
// A successful scan is repeated every `fleet_capability_scan_interval_sec`. A failed one is retried
// with exponential backoff remembered in `fleet_status.json` (`failures`, `next_scan_at`): 60 s,
// 120 s, 240 s, … up to the larger of the interval and one hour, instead of every cycle.

export const SCAN_RETRY_INITIAL_SEC = 60;
export const SCAN_RETRY_MAX_SEC = 3600;

/** What the schedule needs from a scan record. */
export interface ScanTiming {
  id: string;
  ok?: boolean;
  scanned_at?: string;
  next_scan_at?: string | null;
  failures?: number;
}

/** Seconds to wait after the `failures`-th failure in a row (1-based). */
export function scanRetryDelaySec(failures: number, intervalSec: number): number {
  const cap = Math.max(intervalSec, SCAN_RETRY_MAX_SEC);
  return Math.min(cap, SCAN_RETRY_INITIAL_SEC * 2 ** Math.max(0, failures - 1));
}

/** When the next scan of an endpoint is due, after a scan at `at`. */
export function nextScanAt(at: Date, ok: boolean, failures: number, intervalSec: number): string {
  const delaySec = ok ? intervalSec : scanRetryDelaySec(failures, intervalSec);
  return new Date(at.getTime() + delaySec * 1000).toISOString();
}

export function endpointScanDue(
  record: ScanTiming | undefined,
  now: Date,
  intervalSec: number,
): boolean {
  if (!record) return true;
  if (record.ok === false && typeof record.next_scan_at === 'string') {
    const next = Date.parse(record.next_scan_at);
    return !Number.isFinite(next) || now.getTime() >= next;
  }
  // Success: measured from the scan itself, so a changed interval takes effect at once.
  const last = Date.parse(record.scanned_at ?? '');
  return !Number.isFinite(last) || now.getTime() - last >= intervalSec * 1000;
}

/** The scan records of a status file (whatever wrote it), by endpoint id. */
export function scanTimings(status: FleetStatus | null): Map<string, ScanTiming> {
  const list = status?.capability_scan?.endpoints;
  const records = Array.isArray(list) ? list : [];
  const byId = new Map<string, ScanTiming>();
  for (const r of records) {
    if (r && typeof r === 'object' && typeof (r as ScanTiming).id === 'string')
      byId.set((r as ScanTiming).id, r as ScanTiming);
  }
  return byId;
}

/**
 * Is a capability scan due? True when any of `endpointIds` (the enabled endpoints; default: those
 * already scanned) was never scanned, its interval has passed, or its failure backoff has run out.
 */
export function scanDue(
  status: FleetStatus | null,
  now: Date,
  intervalSec: number,
  endpointIds?: readonly string[],
): boolean {
  const timings = scanTimings(status);
  const ids = endpointIds ?? [...timings.keys()];
  if (endpointIds === undefined && ids.length === 0) return true;
  return ids.some((id) => endpointScanDue(timings.get(id), now, intervalSec));
}
