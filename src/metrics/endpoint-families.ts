// The endpoint families: one series per configured endpoint (and label), set at scrape time from
// the config as last (re)loaded, the latest probe round and scan, and the latest cycle. An endpoint
// dropped from the config has no series at all, whatever result of the old config arrives later.
import type { EndpointState, EndpointView } from '../domain/types.js';
import { isLocalUrl } from '../fleet/local.js';
import { redactUrl } from '../util/redact-url.js';
import { b, isCount, type FamilyKit } from './family-kit.js';
import type { CycleValues, ProbedEndpoint, ScrapeSources, ScrapeView } from './scrape-sources.js';

const STATES: EndpointState[] = ['up', 'starting', 'down', 'disabled'];
const SLOT_STATES = ['busy', 'idle'] as const;

export function endpointFamilies(
  { gauge, counterFromSources }: FamilyKit,
  sources: ScrapeSources,
  { probed, views, cycle }: ScrapeView,
) {
  /** A gauge of the probed endpoints: `value` null leaves the endpoint without a series. */
  const probedGauge = (name: string, help: string, value: (p: ProbedEndpoint) => number | null) =>
    gauge(name, help, ['endpoint'], (g) => {
      for (const p of probed()) {
        const v = value(p);
        if (v !== null) g.set({ endpoint: p.view.id }, v);
      }
    });
  /** The server's own load: a series only while the server reports it (unknown is absent, not 0). */
  const loadGauge = (name: string, help: string, key: 'running' | 'waiting') =>
    probedGauge(name, help, ({ record }) => {
      const v = record.state === 'up' ? record.load?.[key] : null;
      return isCount(v) ? v : null;
    });
  /** A gauge of the latest cycle's endpoints still configured (the cycle may predate a reload). */
  const cycleGauge = (
    name: string,
    help: string,
    value: (endpoint: EndpointView, values: CycleValues) => number,
  ) =>
    gauge(name, help, ['endpoint'], (g) => {
      const latest = cycle();
      if (!latest) return;
      const configured = new Set(sources.endpoints.map((e) => e.id));
      for (const e of latest.result.endpoints)
        if (configured.has(e.id)) g.set({ endpoint: e.id }, value(e, latest.values));
    });

  return {
    endpointInfo: gauge(
      'endpoint_info',
      'Static facts about a configured model endpoint (always 1).',
      ['endpoint', 'base_url', 'kind', 'role', 'local'],
      (g) => {
        for (const e of sources.endpoints)
          g.set(
            {
              endpoint: e.id,
              base_url: redactUrl(e.base_url),
              kind: e.kind,
              role: e.role,
              local: String(e.local ?? isLocalUrl(e.base_url)),
            },
            1,
          );
      },
    ),
    endpointUp: probedGauge(
      'endpoint_up',
      'Whether the last probe answered 2xx with the expected JSON (1) or not (0).',
      ({ record }) => b(record.state === 'up'),
    ),
    endpointReady: probedGauge(
      'endpoint_ready',
      'Whether the endpoint was up with at least one model available at the last probe.',
      ({ record }) => b(record.ready),
    ),
    endpointHealthy: probedGauge(
      'endpoint_healthy',
      'Health used for decisions: ready, with hysteresis over consecutive probes.',
      ({ view }) => b(view.healthy),
    ),
    endpointState: gauge(
      'endpoint_state',
      'Endpoint state as a state set: exactly one of up, starting, down, disabled is 1.',
      ['endpoint', 'state'],
      (g) => {
        for (const { record } of probed())
          for (const state of STATES)
            g.set({ endpoint: record.id, state }, b(record.state === state));
      },
    ),
    // Unknown now (not probed, or the backend did not say): no series rather than the last value.
    endpointProbeDuration: probedGauge(
      'endpoint_probe_duration_seconds',
      'Duration of the last probe of the endpoint.',
      ({ record }) => (record.latency_ms === null ? null : record.latency_ms / 1000),
    ),
    endpointProbes: counterFromSources(
      'endpoint_probes_total',
      'Probes by result: success, timeout, refused, http_error, invalid_response, no_models, auth_required.',
      ['endpoint', 'result'],
      (c) => {
        for (const e of sources.endpoints)
          for (const [result, n] of sources.probeResults.get(e.id) ?? [])
            c.inc({ endpoint: e.id, result }, n);
      },
    ),
    endpointModels: probedGauge(
      'endpoint_models',
      'Models the endpoint lists.',
      ({ record }) => record.models.length,
    ),
    endpointModelsLoaded: probedGauge(
      'endpoint_models_loaded',
      'Models the endpoint has loaded in memory (when the backend tells).',
      ({ record }) => record.loaded_models?.length ?? null,
    ),
    endpointMaxParallel: gauge(
      'endpoint_max_parallel',
      'Parallel lanes per endpoint: configured, recommended by the capability scan, effective (the minimum).',
      ['endpoint', 'source'],
      (g) => {
        for (const v of views()) {
          g.set({ endpoint: v.id, source: 'configured' }, v.configuredMaxParallel);
          if (v.recommendedParallel !== null)
            g.set({ endpoint: v.id, source: 'recommended' }, v.recommendedParallel);
          g.set({ endpoint: v.id, source: 'effective' }, v.effectiveMaxParallel);
        }
      },
    ),
    endpointContextTokens: gauge(
      'endpoint_context_tokens',
      'Largest context length the capability scan discovered.',
      ['endpoint'],
      (g) => {
        const scanned = sources.scan?.summary?.by_endpoint ?? {};
        for (const e of sources.endpoints) {
          const tokens = scanned[e.id]?.max_context_tokens;
          if (typeof tokens === 'number') g.set({ endpoint: e.id }, tokens);
        }
      },
    ),
    endpointLastSuccess: probedGauge(
      'endpoint_last_success_timestamp_seconds',
      'Unix time of the last successful (ready) probe.',
      ({ record }) => (record.last_success_at ? Date.parse(record.last_success_at) / 1000 : null),
    ),
    endpointLanesRunning: cycleGauge(
      'endpoint_lanes_running',
      'Running local lanes counted against the endpoint.',
      (e, v) => v.lanesRunning.get(e.id) ?? 0,
    ),
    endpointUtilization: cycleGauge(
      'endpoint_utilization_ratio',
      'Running lanes divided by effective max_parallel (1 = saturated).',
      (e, v) =>
        e.effectiveMaxParallel > 0 ? (v.lanesRunning.get(e.id) ?? 0) / e.effectiveMaxParallel : 0,
    ),
    // Server load, as the server reports it: absent (never 0) where it reports nothing.
    endpointRequestsRunning: loadGauge(
      'endpoint_requests_running',
      'Requests the model server reports in progress (vLLM, llama.cpp); absent when it does not report them.',
      'running',
    ),
    endpointRequestsWaiting: loadGauge(
      'endpoint_requests_waiting',
      'Requests the model server reports queued for a free slot (vLLM, llama.cpp --metrics); absent when it does not report them.',
      'waiting',
    ),
    endpointSlots: gauge(
      'endpoint_slots',
      'Parallel slots of the model server by state, busy or idle (llama.cpp /slots); absent when it does not report them.',
      ['endpoint', 'state'],
      (g) => {
        for (const { record } of probed())
          for (const state of SLOT_STATES) {
            const n = record.state === 'up' ? record.load?.slots?.[state] : null;
            if (isCount(n)) g.set({ endpoint: record.id, state }, n);
          }
      },
    ),
    endpointLanesWithWork: cycleGauge(
      'endpoint_lanes_with_work',
      'Local lanes using the endpoint that have work (pending, in progress, queued), running or not.',
      (e, v) => v.lanesWithWork.get(e.id) ?? 0,
    ),
    endpointsHealthy: gauge('endpoints_healthy', 'Healthy enabled endpoints.', [], (g) =>
      g.set(probed().filter((p) => p.view.healthy).length),
    ),
    // `laneguard_endpoints_total` in the first contract: a gauge must not end in _total (promtool lint).
    endpointsEnabled: gauge('endpoints_enabled', 'Enabled endpoints.', [], (g) =>
      g.set(sources.endpoints.filter((e) => e.enabled).length),
    ),
    probeTokens: counterFromSources(
      'probe_tokens_total',
      'Tokens spent by opt-in canary and keep-warm completions (probes themselves cost none).',
      ['endpoint'],
      (c) => {
        const totals = new Map<string, number>();
        const add = (endpoint: string, n: unknown): void => {
          // A counter throws on a non-finite or negative increment, and a throw fails the whole scrape.
          if (isCount(n)) totals.set(endpoint, (totals.get(endpoint) ?? 0) + n);
        };
        // Canary tokens of configured endpoints; keep-warm tokens of every endpoint the heartbeat
        // state holds (one that left it has no series).
        for (const e of sources.endpoints) add(e.id, sources.canaryTokens.get(e.id));
        for (const [endpoint, entry] of Object.entries(sources.heartbeat?.endpoints ?? {}))
          add(endpoint, entry.tokens_total);
        for (const [endpoint, total] of totals)
          if (Number.isFinite(total)) c.inc({ endpoint }, total);
      },
    ),
  };
}
