// Metric updates from results already in memory: the cycle, a probe round, a capability scan.
import type { EndpointConfig } from '../config/fleet-schema.js';
import { ANOMALIES, type EndpointLoad, type EndpointState, type Trigger } from '../domain/types.js';
import { isLocalUrl } from '../fleet/local.js';
import type { ProbeResult } from '../fleet/prober.js';
import type { FleetStatus, ProbeRecord } from '../fleet/status-file.js';
import type { CycleResult } from '../guard/cycle.js';
import { stalledAfter } from '../guard/report.js';
import type { HeartbeatState } from '../heartbeat/state.js';
import type { Metrics, WatchdogSnapshot } from './registry.js';
import { redactUrl } from '../util/redact-url.js';

const STATES: EndpointState[] = ['up', 'starting', 'down', 'disabled'];
const b = (v: boolean): number => (v ? 1 : 0);
/** Token counts feed counters, which throw at scrape time on a negative or non-finite increment. */
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

const PROBE_RESULTS = [
  'success',
  'timeout',
  'refused',
  'http_error',
  'invalid_response',
  'no_models',
  'auth_required',
] as const;
const PARALLEL_SOURCES = ['configured', 'recommended', 'effective'] as const;

/** Endpoint ids that have series, per registry: what `keepEndpoints` may have to remove. */
const endpointSeries = new WeakMap<Metrics, Set<string>>();

function seen(m: Metrics, endpoint: string): void {
  let ids = endpointSeries.get(m);
  if (!ids) endpointSeries.set(m, (ids = new Set()));
  ids.add(endpoint);
}

/**
 * Remove every series of endpoints that are not configured any more (a reload dropped them, or a
 * result of the old config arrived after the reload): a stale `endpoint_up 0` would keep alerting.
 */
export function keepEndpoints(m: Metrics, endpoints: readonly EndpointConfig[]): void {
  const keep = new Set(endpoints.map((e) => e.id));
  const ids = endpointSeries.get(m);
  for (const endpoint of ids ?? []) {
    if (keep.has(endpoint)) continue;
    for (const g of [
      m.endpointUp,
      m.endpointReady,
      m.endpointHealthy,
      m.endpointProbeDuration,
      m.endpointModels,
      m.endpointModelsLoaded,
      m.endpointContextTokens,
      m.endpointLastSuccess,
      m.endpointLanesRunning,
      m.endpointUtilization,
      m.endpointLanesWithWork,
    ])
      g.remove({ endpoint });
    publishLoad(m, endpoint, null);
    for (const state of STATES) m.endpointState.remove({ endpoint, state });
    for (const source of PARALLEL_SOURCES) m.endpointMaxParallel.remove({ endpoint, source });
    for (const result of PROBE_RESULTS) m.endpointProbes.remove({ endpoint, result });
    m.sources.canaryTokens.delete(endpoint);
    ids!.delete(endpoint);
  }
}

export function publishEndpointInfo(m: Metrics, endpoints: readonly EndpointConfig[]): void {
  keepEndpoints(m, endpoints);
  m.endpointInfo.reset();
  m.endpointsEnabled.set(endpoints.filter((e) => e.enabled).length);
  for (const e of endpoints) {
    seen(m, e.id);
    const local = e.local ?? isLocalUrl(e.base_url);
    m.endpointInfo.set(
      {
        endpoint: e.id,
        base_url: redactUrl(e.base_url),
        kind: e.kind,
        role: e.role,
        local: String(local),
      },
      1,
    );
    m.endpointMaxParallel.set({ endpoint: e.id, source: 'configured' }, e.max_parallel);
  }
}

/** Gauges of the endpoints as last probed (from a probe round or the status file at start-up). */
export function publishProbeRecords(m: Metrics, records: readonly ProbeRecord[]): void {
  for (const r of records) {
    const endpoint = r.id;
    seen(m, endpoint);
    m.endpointUp.set({ endpoint }, b(r.state === 'up'));
    m.endpointReady.set({ endpoint }, b(r.ready));
    m.endpointHealthy.set({ endpoint }, b(r.healthy));
    for (const s of STATES) m.endpointState.set({ endpoint, state: s }, b(r.state === s));
    // Unknown now (not probed, or the backend did not say): no series rather than the last value.
    if (r.latency_ms !== null) m.endpointProbeDuration.set({ endpoint }, r.latency_ms / 1000);
    else m.endpointProbeDuration.remove({ endpoint });
    m.endpointModels.set({ endpoint }, r.models.length);
    if (r.loaded_models) m.endpointModelsLoaded.set({ endpoint }, r.loaded_models.length);
    else m.endpointModelsLoaded.remove({ endpoint });
    if (r.last_success_at)
      m.endpointLastSuccess.set({ endpoint }, Date.parse(r.last_success_at) / 1000);
    publishLoad(m, endpoint, r.state === 'up' ? (r.load ?? null) : null);
  }
  m.endpointsHealthy.set(records.filter((r) => r.healthy && r.enabled).length);
}

const SLOT_STATES = ['busy', 'idle'] as const;

/** The server's own load: each series only while the server reports it (unknown is absent, not 0). */
function publishLoad(m: Metrics, endpoint: string, load: EndpointLoad | null): void {
  const set = (g: typeof m.endpointRequestsRunning, value: number | null | undefined) =>
    isCount(value) ? g.set({ endpoint }, value) : g.remove({ endpoint });
  set(m.endpointRequestsRunning, load?.running);
  set(m.endpointRequestsWaiting, load?.waiting);
  for (const state of SLOT_STATES) {
    const n = load?.slots?.[state];
    if (isCount(n)) m.endpointSlots.set({ endpoint, state }, n);
    else m.endpointSlots.remove({ endpoint, state });
  }
}

/** Counters of one probe round (each probe counted once). */
export function publishProbeRound(
  m: Metrics,
  results: readonly ProbeResult[],
  records: readonly ProbeRecord[],
): void {
  for (const r of results) {
    if (r.state === 'disabled') continue;
    seen(m, r.endpointId);
    m.endpointProbes.inc({
      endpoint: r.endpointId,
      result: r.ready ? 'success' : (r.errorClass ?? 'invalid_response'),
    });
    if (isCount(r.tokens) && r.tokens > 0)
      m.sources.canaryTokens.set(
        r.endpointId,
        (m.sources.canaryTokens.get(r.endpointId) ?? 0) + r.tokens,
      );
  }
  publishProbeRecords(m, records);
}

export function publishScan(
  m: Metrics,
  status: FleetStatus | null,
  endpoints: readonly EndpointConfig[],
): void {
  const byEndpoint = status?.capability_scan?.summary?.by_endpoint ?? {};
  for (const e of endpoints) {
    seen(m, e.id);
    const scan = byEndpoint[e.id];
    const recommended =
      typeof scan?.recommended_parallel === 'number' && scan.recommended_parallel > 0
        ? scan.recommended_parallel
        : null;
    if (recommended !== null)
      m.endpointMaxParallel.set({ endpoint: e.id, source: 'recommended' }, recommended);
    m.endpointMaxParallel.set(
      { endpoint: e.id, source: 'effective' },
      Math.min(e.max_parallel, recommended ?? e.max_parallel),
    );
    if (typeof scan?.max_context_tokens === 'number')
      m.endpointContextTokens.set({ endpoint: e.id }, scan.max_context_tokens);
  }
}

function publishGuard(m: Metrics, result: CycleResult): void {
  const local = new Set(result.plan.localLaneIds);
  const lanes = result.lanes.filter((l) => local.has(l.id));
  const running = lanes.filter((l) => l.running).length;
  const paused = lanes.filter((l) => !l.running && l.paused).length;
  m.localLanes.set({ state: 'running' }, running);
  m.localLanes.set({ state: 'paused' }, paused);
  m.localLanes.set({ state: 'stopped' }, lanes.length - running - paused);
  m.localLanes.set({ state: 'total' }, lanes.length);
  m.lanesStalled.set(stalledAfter(result.report).size);
  // Work of a lane whose pause is held is kept back on purpose: counted apart, never demand.
  const work = (l: (typeof lanes)[number]): number => l.work.pending + l.work.queued;
  m.localPendingWork.set(
    lanes.filter((l) => !(l.pause?.held ?? false)).reduce((sum, l) => sum + work(l), 0),
  );
  m.localHeldWork.set(
    lanes.filter((l) => l.pause?.held ?? false).reduce((sum, l) => sum + work(l), 0),
  );
  const startedIds = new Set(result.report.started.filter((s) => !s.dry_run).map((s) => s.id));
  const runningNow = new Set(lanes.filter((l) => l.running).map((l) => l.id));
  m.lanesStarved.set(
    result.plan.decisions.filter((d) => d.starved && !startedIds.has(d.id) && !runningNow.has(d.id))
      .length,
  );
  m.fleetIdle.set(b(result.conclusion.idleWhileDemand));
  m.idleConsecutive.set(result.state.consecutive_idle_cycles);
  if (result.conclusion.idle) m.idleCycles.inc();
  m.floorUnmetCycles.set(result.state.endpoint_floor_unmet_cycles);
  for (const a of ANOMALIES)
    m.anomalyActive.set({ anomaly: a }, b(result.conclusion.anomalies.includes(a)));
  m.circuitOpen.set(b(result.conclusion.anomalies.includes('recovery_circuit_open')));

  // Lanes per endpoint after the cycle: running lanes where they were placed.
  const runningIds = runningNow;
  const load = new Map<string, number>();
  for (const d of result.plan.decisions)
    if (d.endpointKey && runningIds.has(d.id))
      load.set(d.endpointKey, (load.get(d.endpointKey) ?? 0) + 1);
  const withWork = new Map<string, number>();
  for (const d of result.plan.decisions)
    if (d.hasWork)
      for (const id of new Set(d.endpointIds)) withWork.set(id, (withWork.get(id) ?? 0) + 1);
  for (const e of result.endpoints) {
    seen(m, e.id);
    m.endpointLanesWithWork.set({ endpoint: e.id }, withWork.get(e.id) ?? 0);
    const n = load.get(e.id) ?? 0;
    m.endpointLanesRunning.set({ endpoint: e.id }, n);
    m.endpointUtilization.set(
      { endpoint: e.id },
      e.effectiveMaxParallel > 0 ? n / e.effectiveMaxParallel : 0,
    );
    m.endpointHealthy.set({ endpoint: e.id }, b(e.healthy));
  }
  m.endpointsHealthy.set(result.endpoints.filter((e) => e.enabled && e.healthy).length);
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
 * Metrics of a finished cycle. Counters count now; the lane families are written from this result
 * at each scrape (lane-exposition.ts) until a newer cycle replaces it.
 */
export function publishCycle(m: Metrics, result: CycleResult, now: Date): void {
  const trigger = result.report.trigger;
  m.sources.lanes = { result, now };
  publishGuard(m, result);
  publishActions(m, result, trigger);
  if (result.probe) publishProbeRound(m, result.probe.results, result.probe.records);
  m.cycles.inc({ trigger, result: result.report.ok ? 'ok' : 'error' });
  m.cycleDuration.observe(result.report.duration_ms / 1000);
  m.lastCycle.set(Date.parse(result.report.timestamp) / 1000);
}

/** Heartbeat gauges and keep-warm tokens from the heartbeat state (read on a timer, not at scrape). */
export function publishHeartbeat(m: Metrics, state: HeartbeatState): void {
  m.heartbeatSuccess.reset();
  m.heartbeatLastSuccess.reset();
  // The state holds every heartbeat endpoint's running total: one that left it has no series.
  m.sources.keepWarmTokens.clear();
  for (const [endpoint, entry] of Object.entries(state.endpoints)) {
    m.heartbeatSuccess.set({ endpoint }, b(entry.ok));
    if (entry.last_success_at)
      m.heartbeatLastSuccess.set({ endpoint }, Date.parse(entry.last_success_at) / 1000);
    if (isCount(entry.tokens_total)) m.sources.keepWarmTokens.set(endpoint, entry.tokens_total);
  }
}

/** Watchdog gauges; its restart counters and state age are computed from the snapshot at scrape time. */
export function publishWatchdog(m: Metrics, snapshot: WatchdogSnapshot): void {
  m.sources.watchdog = snapshot;
  m.watchdogUp.reset();
  m.watchdogGaveUp.reset();
  for (const p of snapshot.processes) {
    m.watchdogUp.set({ process: p.process }, b(p.up));
    m.watchdogGaveUp.set({ process: p.process }, b(p.gaveUp));
  }
}

/** A user-visible operator unpause outside a cycle (`lanes unpause`, status page) still counts. */
export function publishOperatorUnpause(m: Metrics, lane: string): void {
  m.laneUnpauses.inc({ lane, reason: 'operator' });
}
