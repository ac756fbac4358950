// What each result leaves for the scrapes: counters count now; every gauge is set at scrape time
// from the sources recorded here (registry.ts), so nothing here removes a series or knows which
// ones exist.
import type { EndpointConfig } from '../config/fleet-schema.js';
import type { Trigger } from '../domain/types.js';
import type { FleetProbe } from '../fleet/probe-fleet.js';
import type { FleetStatus } from '../fleet/status-file.js';
import type { CycleResult } from '../guard/cycle.js';
import { isCount } from './family-kit.js';
import type { Metrics } from './registry.js';

/**
 * A config (re)loaded at `at`: from the next scrape on, endpoint series are those of its endpoints
 * only, whatever results of the old config still arrive.
 */
export function publishConfig(m: Metrics, endpoints: readonly EndpointConfig[], at: Date): void {
  m.sources.endpoints = endpoints;
  m.sources.reload = { ok: true, successAtSec: at.getTime() / 1000 };
}

/** A reload that failed: the running config (and its endpoints) stays. */
export function publishReloadFailed(m: Metrics): void {
  m.sources.reload = { ...m.sources.reload, ok: false };
}

/** fleet_status.json as read at start-up: the endpoints as last probed and scanned before it. */
export function publishFleetStatus(m: Metrics, status: FleetStatus | null): void {
  m.sources.probe = status?.probe ?? null;
  m.sources.scan = status?.capability_scan ?? null;
}

/** One probe round: each probe counted once; the endpoint gauges show its records from now on. */
export function publishProbeRound(m: Metrics, probe: Pick<FleetProbe, 'results' | 'status'>): void {
  const { probeResults, canaryTokens } = m.sources;
  for (const r of probe.results) {
    if (r.state === 'disabled') continue;
    const result = r.ready ? 'success' : (r.errorClass ?? 'invalid_response');
    let counts = probeResults.get(r.endpointId);
    if (!counts) probeResults.set(r.endpointId, (counts = new Map()));
    counts.set(result, (counts.get(result) ?? 0) + 1);
    if (isCount(r.tokens) && r.tokens > 0)
      canaryTokens.set(r.endpointId, (canaryTokens.get(r.endpointId) ?? 0) + r.tokens);
  }
  m.sources.probe = probe.status.probe;
}

/** A capability scan: the parallelism and context gauges show its results from now on. */
export function publishScan(m: Metrics, status: FleetStatus): void {
  m.sources.scan = status.capability_scan;
}

function publishActions(m: Metrics, result: CycleResult, trigger: Trigger): void {
  const r = result.report;
  for (const s of r.started) {
    m.recoveryActions.inc({ action: 'start', result: s.dry_run ? 'dry_run' : 'success' });
    if (!s.dry_run) m.laneStarts.inc({ lane: s.id, trigger, result: 'success' });
  }
  for (const f of r.failed) {
    if (f.source === 'start') {
      m.recoveryActions.inc({ action: 'start', result: 'failure' });
      m.laneStarts.inc({ lane: f.id, trigger, result: 'failure' });
    } else if (f.source === 'unpause')
      m.recoveryActions.inc({ action: 'unpause', result: 'failure' });
  }
  for (const s of r.restarted)
    m.recoveryActions.inc({ action: 'restart', result: s.dry_run ? 'dry_run' : 'success' });
  for (const f of r.failed)
    if (f.source === 'restart') m.recoveryActions.inc({ action: 'restart', result: 'failure' });
  for (const u of r.unpaused) {
    m.recoveryActions.inc({ action: 'unpause', result: u.dry_run ? 'dry_run' : 'success' });
    if (!u.dry_run) m.laneUnpauses.inc({ lane: u.id, reason: u.reason });
  }
  for (const [action, outcome] of [
    ['ensure', r.ensure],
    ['escalate', r.escalate],
  ] as const) {
    if (outcome.dry_run) m.recoveryActions.inc({ action, result: 'dry_run' });
    else if (outcome.ran)
      m.recoveryActions.inc({ action, result: outcome.ok ? 'success' : 'failure' });
  }
  for (const s of r.skipped) m.recoverySkips.inc({ reason: s.reason });
}

/**
 * A finished cycle. Counters count now; the guard gauges and the lane families are computed from
 * this result at each scrape until a newer cycle replaces it.
 */
export function publishCycle(m: Metrics, result: CycleResult, now: Date): void {
  const trigger = result.report.trigger;
  m.sources.lanes = { result, now };
  publishActions(m, result, trigger);
  // A cycle probes itself only without the daemon's shared probe, which counts its own rounds.
  if (result.probe) publishProbeRound(m, result.probe);
  if (result.conclusion.idle) m.idleCycles.inc();
  m.cycles.inc({ trigger, result: result.report.ok ? 'ok' : 'error' });
  m.cycleDuration.observe(result.report.duration_ms / 1000);
}
