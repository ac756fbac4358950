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

/** Counts to add per label value, added with one `inc` each: a cycle may skip thousands of lanes. */
class Tally<K extends string> {
  readonly counts = new Map<K, number>();
  add(key: K): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}

type ActionResult =
  `${'start' | 'unpause' | 'restart' | 'ensure' | 'escalate'} ${'success' | 'failure' | 'dry_run'}`;

function publishActions(m: Metrics, result: CycleResult, trigger: Trigger): void {
  const r = result.report;
  const actions = new Tally<ActionResult>();
  for (const s of r.started) {
    actions.add(s.dry_run ? 'start dry_run' : 'start success');
    if (!s.dry_run) m.laneStarts.inc({ lane: s.id, trigger, result: 'success' });
  }
  for (const f of r.failed) {
    if (f.source === 'start') {
      actions.add('start failure');
      m.laneStarts.inc({ lane: f.id, trigger, result: 'failure' });
    } else if (f.source === 'unpause') actions.add('unpause failure');
  }
  for (const s of r.restarted) actions.add(s.dry_run ? 'restart dry_run' : 'restart success');
  for (const f of r.failed) if (f.source === 'restart') actions.add('restart failure');
  for (const u of r.unpaused) {
    actions.add(u.dry_run ? 'unpause dry_run' : 'unpause success');
    if (!u.dry_run) m.laneUnpauses.inc({ lane: u.id, reason: u.reason });
  }
  for (const [action, outcome] of [
    ['ensure', r.ensure],
    ['escalate', r.escalate],
  ] as const) {
    if (outcome.dry_run) actions.add(`${action} dry_run`);
    else if (outcome.ran) actions.add(`${action} ${outcome.ok ? 'success' : 'failure'}`);
  }
  for (const [key, n] of actions.counts) {
    const [action, outcome] = key.split(' ') as [string, string];
    m.recoveryActions.inc({ action, result: outcome }, n);
  }
  const skips = new Tally<string>();
  for (const s of r.skipped) skips.add(s.reason);
  for (const [reason, n] of skips.counts) m.recoverySkips.inc({ reason }, n);
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
