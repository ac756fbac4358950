import { backoffRemainingSec } from '../core/guard/backoff.js';
import { stalledAfter } from '../guard/report.js';
import type { GuardPort } from './port.js';
import { VERSION } from '../version.js';
import { redactUrl } from '../util/redact-url.js';

/** `GET /api/v1/status` (and the status page): memory only. */
export function statusView(service: GuardPort) {
  const result = service.lastResult;
  const now = service.clock.now();
  const records = new Map((service.fleetStatus?.probe?.endpoints ?? []).map((r) => [r.id, r]));
  const decisions = new Map((result?.plan.decisions ?? []).map((d) => [d.id, d]));
  const local = new Set(result?.plan.localLaneIds ?? []);
  const startedIds = new Set(
    (result?.report.started ?? []).filter((s) => !s.dry_run).map((s) => s.id),
  );
  const stalled = result ? stalledAfter(result.report) : new Set<string>();
  return {
    version: VERSION,
    mode: service.config.guard.mode,
    ready: service.ready,
    started_at: service.startedAt.toISOString(),
    endpoints: service.endpointViews().map((e) => {
      const r = records.get(e.id);
      const cfg = service.config.endpoints.find((c) => c.id === e.id);
      return {
        id: e.id,
        base_url: redactUrl(e.baseUrl),
        kind: r?.kind ?? cfg?.kind ?? 'auto',
        state: e.state,
        healthy: e.healthy,
        latency_ms: r?.latency_ms ?? null,
        models: r?.models.map((m) => m.id) ?? [],
        error: r?.error ?? null,
        probed_at: r?.probed_at ?? null,
        max_parallel: {
          configured: e.configuredMaxParallel,
          recommended: e.recommendedParallel,
          effective: e.effectiveMaxParallel,
        },
        // What the server says about its own load (null: it reports none, or it is not up).
        load: e.load ?? null,
      };
    }),
    lanes: (result?.lanes ?? []).map((l) => {
      const d = decisions.get(l.id);
      return {
        id: l.id,
        enabled: l.enabled,
        local: local.has(l.id),
        running: l.running,
        pid: l.pid,
        paused: l.paused,
        pause_held: l.pause?.held ?? false,
        pause_stale: l.pause?.stale ?? false,
        pause_age_sec: l.pause?.ageSec ?? null,
        pause_message: l.pause?.message ?? null,
        work: l.work,
        starved: (d?.starved ?? false) && !l.running && !startedIds.has(l.id),
        backoff_sec: backoffRemainingSec(result?.state.lanes[l.id], now),
        stalled: stalled.has(l.id),
        stalled_sec: stalled.has(l.id) ? (d?.stall?.stalledSec ?? null) : null,
        heartbeat_age_sec: l.heartbeatAgeSec,
        reason: d?.verdict === 'skip' ? d.reason : null,
        endpoints: l.endpointUrls,
        owner: l.owner,
      };
    }),
    lane_errors: result?.laneErrors ?? [],
    anomalies: result?.conclusion.anomalies ?? [],
    state: result?.state ?? null,
    last_cycle: result?.report ?? null,
    last_cycle_error: service.lastCycleError,
  };
}

export type StatusView = ReturnType<typeof statusView>;
