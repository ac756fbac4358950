// The one place laneguard's metrics are put together, on a registry of their own (never the global
// one); the endpoint families are in endpoint-families.ts, the lane families in lane-families.ts.
// Every gauge is set at scrape time by its collect() from the sources (scrape-sources.ts), which hold
// the latest results in memory: a series of an endpoint, lane or process that is gone is simply not
// set, and a scrape reads no file. Counters count as results arrive (publish.ts).
import { ANOMALIES } from '../domain/types.js';
import { WRITTEN_FILES } from '../store/write-errors.js';
import { endpointFamilies } from './endpoint-families.js';
import { b, familyKit } from './family-kit.js';
import { emptySources, scrapeView, type CycleValues } from './scrape-sources.js';
import type { CycleResult } from '../guard/cycle.js';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export type { ScrapeSources, WatchdogSnapshot } from './scrape-sources.js';
export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(options: { version: string; defaultMetrics?: boolean }) {
  // One registry: the text format by default, OpenMetrics when a scrape asks for it (render.ts).
  const registry = new Registry();
  const kit = familyKit(registry);
  const { gauge, counterFromSources, counter, registers } = kit;
  const sources = emptySources();
  const view = scrapeView(sources);
  /** An unlabelled gauge of the latest cycle (0 before the first, as an unset gauge reads). */
  const cycleGauge = (
    name: string,
    help: string,
    value: (result: CycleResult, values: CycleValues) => number,
  ) =>
    gauge(name, help, [], (g) => {
      const latest = view.cycle();
      if (latest) g.set(value(latest.result, latest.values));
    });

  const metrics = {
    registry,
    sources,
    /** What the gauges derive from the sources (render.ts prepares it before a render). */
    view,
    ...endpointFamilies(kit, sources, view),
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
    localLanes: gauge(
      'local_lanes',
      'Local lanes by state: running, paused, stopped, total.',
      ['state'],
      (g) => {
        const lanes = view.cycle()?.values.localLanes;
        if (!lanes) return;
        for (const state of ['running', 'paused', 'stopped', 'total'] as const)
          g.set({ state }, lanes[state]);
      },
    ),
    localPendingWork: cycleGauge(
      'local_pending_work',
      'Pending plus queued work items over local lanes, without lanes whose pause is held.',
      (_, v) => v.pendingWork,
    ),
    localHeldWork: cycleGauge(
      'local_held_work',
      'Pending plus queued work items of local lanes whose pause is held: kept back on purpose, not demand.',
      (_, v) => v.heldWork,
    ),
    lanesStarved: cycleGauge('lanes_starved', 'Starved local lanes.', (_, v) => v.starved),
    lanesStalled: cycleGauge(
      'lanes_stalled',
      'Stalled lanes: running, but heartbeat and work counts unchanged for stalled_after_sec.',
      (_, v) => v.stalled,
    ),
    fleetIdle: cycleGauge(
      'fleet_idle',
      'Idle while demand exists: no local lane running, endpoint floor met, some local lane that is not held has work.',
      (r) => b(r.conclusion.idleWhileDemand),
    ),
    idleConsecutive: cycleGauge(
      'idle_consecutive_cycles',
      'Consecutive idle cycles (held, not reset, during an endpoint outage).',
      (r) => r.state.consecutive_idle_cycles,
    ),
    idleCycles: counter('idle_cycles_total', 'Idle guard cycles.'),
    floorUnmetCycles: cycleGauge(
      'endpoint_floor_unmet_cycles',
      'Consecutive cycles with fewer healthy endpoints than minimum_healthy_endpoints.',
      (r) => r.state.endpoint_floor_unmet_cycles,
    ),
    cycles: counter('cycles_total', 'Guard cycles by trigger and result.', ['trigger', 'result']),
    cycleDuration: new Histogram({
      name: 'laneguard_cycle_duration_seconds',
      help: 'Guard cycle duration.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    lastCycle: cycleGauge(
      'last_cycle_timestamp_seconds',
      'Unix time the last guard cycle finished.',
      (r) => Date.parse(r.report.timestamp) / 1000,
    ),
    recoveryActions: counter(
      'recovery_actions_total',
      'Recovery actions by action (unpause, start, restart, ensure, escalate) and result (success, failure, dry_run).',
      ['action', 'result'],
    ),
    recoverySkips: counter('recovery_skips_total', 'Lanes skipped by the guard, by reason.', [
      'reason',
    ]),
    anomalyActive: gauge(
      'anomaly_active',
      'Whether an anomaly is active (1) or not (0).',
      ['anomaly'],
      (g) => {
        const active = view.cycle()?.result.conclusion.anomalies;
        if (active) for (const a of ANOMALIES) g.set({ anomaly: a }, b(active.includes(a)));
      },
    ),
    circuitOpen: cycleGauge(
      'recovery_circuit_open',
      'Whether the recovery circuit breaker is open.',
      (r) => b(r.conclusion.anomalies.includes('recovery_circuit_open')),
    ),
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
    // Watchdog / heartbeat: from the files as last read on a timer (the service's refreshSideStates).
    watchdogUp: gauge(
      'watchdog_process_up',
      'Whether a supervised process is alive and healthy.',
      ['process'],
      (g) => {
        for (const p of sources.watchdog?.processes ?? []) g.set({ process: p.process }, b(p.up));
      },
    ),
    watchdogRestarts: counterFromSources(
      'watchdog_restarts_total',
      'Restarts of a supervised process by result (counted by the watchdog, exported as last read).',
      ['process', 'result'],
      (c) => {
        for (const p of sources.watchdog?.processes ?? []) {
          c.inc({ process: p.process, result: 'success' }, p.restartsSuccess);
          c.inc({ process: p.process, result: 'failure' }, p.restartsFailure);
        }
      },
    ),
    watchdogGaveUp: gauge(
      'watchdog_gave_up',
      'Whether the watchdog gave up restarting the process (start limit exceeded).',
      ['process'],
      (g) => {
        for (const p of sources.watchdog?.processes ?? [])
          g.set({ process: p.process }, b(p.gaveUp));
      },
    ),
    watchdogStateAge: gauge(
      'watchdog_state_age_seconds',
      'Age of the watchdog state file: grows when the watchdog is dead.',
      [],
      (g) => {
        const mtime = sources.watchdog?.stateMtimeMs;
        if (mtime != null) g.set(Math.max(0, (sources.now() - mtime) / 1000));
      },
    ),
    heartbeatSuccess: gauge(
      'heartbeat_success',
      'Whether the last heartbeat of a heartbeat endpoint succeeded.',
      ['endpoint'],
      (g) => {
        for (const [endpoint, entry] of Object.entries(sources.heartbeat?.endpoints ?? {}))
          g.set({ endpoint }, b(entry.ok));
      },
    ),
    heartbeatLastSuccess: gauge(
      'heartbeat_last_success_timestamp_seconds',
      'Unix time of the last successful heartbeat.',
      ['endpoint'],
      (g) => {
        for (const [endpoint, entry] of Object.entries(sources.heartbeat?.endpoints ?? {}))
          if (entry.last_success_at) g.set({ endpoint }, Date.parse(entry.last_success_at) / 1000);
      },
    ),
    // Self
    buildInfo: gauge('build_info', 'laneguard build information (always 1).', ['version'], (g) =>
      g.set({ version: options.version }, 1),
    ),
    configReloadOk: gauge(
      'config_last_reload_successful',
      'Whether the last configuration (re)load succeeded.',
      [],
      (g) => g.set(b(sources.reload.ok)),
    ),
    configReloadSuccessTime: gauge(
      'config_last_reload_success_timestamp_seconds',
      'Unix time of the last successful configuration (re)load.',
      [],
      (g) => {
        if (sources.reload.successAtSec !== null) g.set(sources.reload.successAtSec);
      },
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
