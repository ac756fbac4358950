// The one place laneguard's metrics are defined, on a registry of their own (never the global one).
import { WRITTEN_FILES } from '../store/write-errors.js';
import type { LaneSource } from './lane-exposition.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

/** Watchdog values as last read from its state file (read on a timer, never at scrape time). */
export interface WatchdogSnapshot {
  processes: Array<{
    process: string;
    up: boolean;
    gaveUp: boolean;
    restartsSuccess: number;
    restartsFailure: number;
  }>;
  /** mtime of the state file in ms, or null when there is none. */
  stateMtimeMs: number | null;
}

/** In-memory sources read by collect() at scrape time: memory only, no I/O. */
export interface ScrapeSources {
  watchdog: WatchdogSnapshot | null;
  /** Canary tokens counted by this process, per endpoint. */
  canaryTokens: Map<string, number>;
  /** Keep-warm tokens as last read from the heartbeat state, per endpoint. */
  keepWarmTokens: Map<string, number>;
  now: () => number;
  /** The latest cycle result: the lane families are written from it at scrape time (lane-exposition.ts). */
  lanes: LaneSource | null;
}

export function createMetrics(options: { version: string; defaultMetrics?: boolean }) {
  // One registry: the text format by default, OpenMetrics when a scrape asks for it (render.ts).
  const registry = new Registry();
  const registers = [registry];
  const sources: ScrapeSources = {
    watchdog: null,
    canaryTokens: new Map(),
    keepWarmTokens: new Map(),
    now: () => Date.now(),
    lanes: null,
  };
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name: `laneguard_${name}`, help, labelNames, registers });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name: `laneguard_${name}`, help, labelNames, registers });

  const metrics = {
    registry,
    sources,
    // Endpoints
    endpointInfo: gauge(
      'endpoint_info',
      'Static facts about a configured model endpoint (always 1).',
      ['endpoint', 'base_url', 'kind', 'role', 'local'],
    ),
    endpointUp: gauge(
      'endpoint_up',
      'Whether the last probe answered 2xx with the expected JSON (1) or not (0).',
      ['endpoint'],
    ),
    endpointReady: gauge(
      'endpoint_ready',
      'Whether the endpoint was up with at least one model available at the last probe.',
      ['endpoint'],
    ),
    endpointHealthy: gauge(
      'endpoint_healthy',
      'Health used for decisions: ready, with hysteresis over consecutive probes.',
      ['endpoint'],
    ),
    endpointState: gauge(
      'endpoint_state',
      'Endpoint state as a state set: exactly one of up, starting, down, disabled is 1.',
      ['endpoint', 'state'],
    ),
    endpointProbeDuration: gauge(
      'endpoint_probe_duration_seconds',
      'Duration of the last probe of the endpoint.',
      ['endpoint'],
    ),
    endpointProbes: counter(
      'endpoint_probes_total',
      'Probes by result: success, timeout, refused, http_error, invalid_response, no_models, auth_required.',
      ['endpoint', 'result'],
    ),
    endpointModels: gauge('endpoint_models', 'Models the endpoint lists.', ['endpoint']),
    endpointModelsLoaded: gauge(
      'endpoint_models_loaded',
      'Models the endpoint has loaded in memory (when the backend tells).',
      ['endpoint'],
    ),
    endpointMaxParallel: gauge(
      'endpoint_max_parallel',
      'Parallel lanes per endpoint: configured, recommended by the capability scan, effective (the minimum).',
      ['endpoint', 'source'],
    ),
    endpointContextTokens: gauge(
      'endpoint_context_tokens',
      'Largest context length the capability scan discovered.',
      ['endpoint'],
    ),
    endpointLastSuccess: gauge(
      'endpoint_last_success_timestamp_seconds',
      'Unix time of the last successful (ready) probe.',
      ['endpoint'],
    ),
    endpointLanesRunning: gauge(
      'endpoint_lanes_running',
      'Running local lanes counted against the endpoint.',
      ['endpoint'],
    ),
    endpointUtilization: gauge(
      'endpoint_utilization_ratio',
      'Running lanes divided by effective max_parallel (1 = saturated).',
      ['endpoint'],
    ),
    // Server load, as the server reports it: absent (never 0) where it reports nothing.
    endpointRequestsRunning: gauge(
      'endpoint_requests_running',
      'Requests the model server reports in progress (vLLM, llama.cpp); absent when it does not report them.',
      ['endpoint'],
    ),
    endpointRequestsWaiting: gauge(
      'endpoint_requests_waiting',
      'Requests the model server reports queued for a free slot (vLLM, llama.cpp --metrics); absent when it does not report them.',
      ['endpoint'],
    ),
    endpointSlots: gauge(
      'endpoint_slots',
      'Parallel slots of the model server by state, busy or idle (llama.cpp /slots); absent when it does not report them.',
      ['endpoint', 'state'],
    ),
    endpointLanesWithWork: gauge(
      'endpoint_lanes_with_work',
      'Local lanes using the endpoint that have work (pending, in progress, queued), running or not.',
      ['endpoint'],
    ),
    endpointsHealthy: gauge('endpoints_healthy', 'Healthy enabled endpoints.'),
    // `laneguard_endpoints_total` in the first contract: a gauge must not end in _total (promtool lint).
    endpointsEnabled: gauge('endpoints_enabled', 'Enabled endpoints.'),
    probeTokens: new Counter({
      name: 'laneguard_probe_tokens_total',
      help: 'Tokens spent by opt-in canary and keep-warm completions (probes themselves cost none).',
      labelNames: ['endpoint'] as const,
      registers,
      collect() {
        this.reset();
        const ids = new Set([...sources.canaryTokens.keys(), ...sources.keepWarmTokens.keys()]);
        for (const endpoint of ids) {
          const total =
            (sources.canaryTokens.get(endpoint) ?? 0) + (sources.keepWarmTokens.get(endpoint) ?? 0);
          // A counter throws on a non-finite or negative increment, and a throw here fails the whole scrape.
          if (Number.isFinite(total) && total >= 0) this.inc({ endpoint }, total);
        }
      },
    }),
    // Lanes
    // The per-lane gauges (lane_info, lane_running, …) are not here: render.ts writes them from the
    // latest cycle result (lane-families.ts), as ~15 gauges per lane are too many to render at once.
    laneStarts: counter('lane_starts_total', 'Lane starts by trigger and result.', [
      'lane',
      'trigger',
      'result',
    ]),
    laneUnpauses: counter('lane_unpauses_total', 'Pauses cleared by reason.', ['lane', 'reason']),
    // Guard
    localLanes: gauge('local_lanes', 'Local lanes by state: running, paused, stopped, total.', [
      'state',
    ]),
    localPendingWork: gauge(
      'local_pending_work',
      'Pending plus queued work items over local lanes, without lanes whose pause is held.',
    ),
    localHeldWork: gauge(
      'local_held_work',
      'Pending plus queued work items of local lanes whose pause is held: kept back on purpose, not demand.',
    ),
    lanesStarved: gauge('lanes_starved', 'Starved local lanes.'),
    lanesStalled: gauge(
      'lanes_stalled',
      'Stalled lanes: running, but heartbeat and work counts unchanged for stalled_after_sec.',
    ),
    fleetIdle: gauge(
      'fleet_idle',
      'Idle while demand exists: no local lane running, endpoint floor met, some local lane that is not held has work.',
    ),
    idleConsecutive: gauge(
      'idle_consecutive_cycles',
      'Consecutive idle cycles (held, not reset, during an endpoint outage).',
    ),
    idleCycles: counter('idle_cycles_total', 'Idle guard cycles.'),
    floorUnmetCycles: gauge(
      'endpoint_floor_unmet_cycles',
      'Consecutive cycles with fewer healthy endpoints than minimum_healthy_endpoints.',
    ),
    cycles: counter('cycles_total', 'Guard cycles by trigger and result.', ['trigger', 'result']),
    cycleDuration: new Histogram({
      name: 'laneguard_cycle_duration_seconds',
      help: 'Guard cycle duration.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    lastCycle: gauge('last_cycle_timestamp_seconds', 'Unix time the last guard cycle finished.'),
    recoveryActions: counter(
      'recovery_actions_total',
      'Recovery actions by action (unpause, start, restart, ensure, escalate) and result (success, failure, dry_run).',
      ['action', 'result'],
    ),
    recoverySkips: counter('recovery_skips_total', 'Lanes skipped by the guard, by reason.', [
      'reason',
    ]),
    anomalyActive: gauge('anomaly_active', 'Whether an anomaly is active (1) or not (0).', [
      'anomaly',
    ]),
    circuitOpen: gauge('recovery_circuit_open', 'Whether the recovery circuit breaker is open.'),
    // Receiver
    webhookRequests: counter(
      'webhook_requests_total',
      'Alertmanager webhook requests by HTTP status answered.',
      ['code'],
    ),
    webhookAlerts: counter(
      'webhook_alerts_total',
      'Alerts received by outcome: acted, deduplicated, ignored, resolved.',
      ['outcome'],
    ),
    webhookRejections: counter(
      'webhook_rejections_total',
      'Webhook requests rejected with a 4xx, by reason (every one, also those history leaves out).',
      ['reason'],
    ),
    // Watchdog / heartbeat
    watchdogUp: gauge('watchdog_process_up', 'Whether a supervised process is alive and healthy.', [
      'process',
    ]),
    watchdogRestarts: new Counter({
      name: 'laneguard_watchdog_restarts_total',
      help: 'Restarts of a supervised process by result (counted by the watchdog, exported as last read).',
      labelNames: ['process', 'result'] as const,
      registers,
      collect() {
        this.reset();
        for (const p of sources.watchdog?.processes ?? []) {
          this.inc({ process: p.process, result: 'success' }, p.restartsSuccess);
          this.inc({ process: p.process, result: 'failure' }, p.restartsFailure);
        }
      },
    }),
    watchdogGaveUp: gauge(
      'watchdog_gave_up',
      'Whether the watchdog gave up restarting the process (start limit exceeded).',
      ['process'],
    ),
    watchdogStateAge: new Gauge({
      name: 'laneguard_watchdog_state_age_seconds',
      help: 'Age of the watchdog state file: grows when the watchdog is dead.',
      registers,
      collect() {
        this.reset();
        const mtime = sources.watchdog?.stateMtimeMs;
        if (mtime != null) this.set(Math.max(0, (sources.now() - mtime) / 1000));
      },
    }),
    heartbeatSuccess: gauge(
      'heartbeat_success',
      'Whether the last heartbeat of a heartbeat endpoint succeeded.',
      ['endpoint'],
    ),
    heartbeatLastSuccess: gauge(
      'heartbeat_last_success_timestamp_seconds',
      'Unix time of the last successful heartbeat.',
      ['endpoint'],
    ),
    // Self
    buildInfo: gauge('build_info', 'laneguard build information (always 1).', ['version']),
    configReloadOk: gauge(
      'config_last_reload_successful',
      'Whether the last configuration (re)load succeeded.',
    ),
    configReloadSuccessTime: gauge(
      'config_last_reload_success_timestamp_seconds',
      'Unix time of the last successful configuration (re)load.',
    ),
    historyWriteErrors: counter(
      'history_write_errors_total',
      'History lines that could not be written.',
    ),
    historyEventsSuppressed: counter(
      'history_events_suppressed_total',
      'High-volume events (webhook rejections, alerts that changed nothing) counted but not written to history.',
      ['type'],
    ),
    writeErrors: counter(
      'write_errors_total',
      'Failed writes of laneguard files by file: fleet_status, report, state, history, lock (a full disk, permissions).',
      ['file'],
    ),
  };
  // Every file from the start at 0, so increase() sees the first failure.
  for (const file of WRITTEN_FILES) metrics.writeErrors.inc({ file }, 0);
  metrics.buildInfo.set({ version: options.version }, 1);
  metrics.configReloadOk.set(1);
  if (options.defaultMetrics !== false) {
    // Once, unprefixed (`process_*`, `nodejs_*`), as every Prometheus client library exports them.
    collectDefaultMetrics({ register: registry });
    // Gauges named *_total break exposition linting; the per-type gauges without the suffix stay.
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ])
      registry.removeSingleMetric(name);
  }
  return metrics;
}
