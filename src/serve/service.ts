// The daemon's core: current config, the cycle runner, in-memory results and metrics.
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { buildEndpointViews } from '../core/fleet/view.js';
import { fetchHttpClient, type HttpClient } from '../fleet/http.js';
import { probeFleet, type FleetProbe } from '../fleet/probe-fleet.js';
import { readFleetStatus, type FleetStatus } from '../fleet/status-file.js';
import type { Runner } from '../guard/act.js';
import { ensureOutsideCycle, type EnsureContext, type EnsureResult } from '../guard/ensure.js';
import type { CycleRequest, CycleResult, GuardDeps } from '../guard/cycle.js';
import { CycleRunner } from '../guard/runner.js';
import { HistoryStore } from '../history/store.js';
import { createLaneAdapter } from '../lanes/factory.js';
import {
  publishConfig,
  publishCycle,
  publishFleetStatus,
  publishProbeRound,
  publishReloadFailed,
  publishScan,
} from '../metrics/publish.js';
import { scanFleet, type FleetScan } from '../fleet/scan.js';
import { scanDue } from '../fleet/scan-schedule.js';
import { readHeartbeatState } from '../heartbeat/state.js';
import { readWatchdogSnapshot, watchdogStateFile } from '../watchdog/index.js';
import { createMetrics, type Metrics } from '../metrics/registry.js';
import { runArgv } from '../process/index.js';
import type { Clock } from '../util/clock.js';
import { loadCredentials, type Credentials } from '../http/auth.js';
import { laneguardWriteDirs, removeStrayTemps } from '../store/stray-temp.js';
import { WriteFailures } from '../store/write-errors.js';
import { asFileError } from '../store/file-error.js';
import type { GuardPort } from '../http/port.js';
import type { Trigger } from '../domain/types.js';

export interface ServiceOptions {
  root: string;
  clock: Clock;
  version: string;
  env?: NodeJS.ProcessEnv;
  http?: HttpClient;
  runner?: Runner;
  /** Register prom-client's process metrics (off in tests that build many registries). */
  defaultMetrics?: boolean;
  log?: (line: string) => void;
}

/** Whether `a` was written before `b` (the file's top-level `timestamp` is set by every writer). */
function olderThan(a: FleetStatus, b: FleetStatus | null): boolean {
  const at = Date.parse(a.timestamp);
  const bt = b ? Date.parse(b.timestamp) : NaN;
  return Number.isFinite(at) && Number.isFinite(bt) && at < bt;
}

export class GuardService implements GuardPort {
  config: LoadedConfig;
  credentials: Credentials;
  readonly metrics: Metrics;
  readonly runner: CycleRunner;
  readonly startedAt: Date;
  lastResult: CycleResult | null = null;
  lastProbe: FleetProbe | null = null;
  fleetStatus: FleetStatus | null = null;
  lastCycleError: string | null = null;
  private deps: GuardDeps;
  private probing: Promise<FleetProbe> | null = null;
  /** Probe and scan both rewrite fleet_status.json: one at a time, so neither loses the other's part. */
  private statusQueue: Promise<unknown> = Promise.resolve();
  private ensuring: Promise<EnsureResult> | null = null;
  private readonly log: (line: string) => void;
  /** Aborted by `cancelCommands()` when the daemon stops. */
  private readonly shutdown = new AbortController();
  /** Failed writes of status, state, report, history and lock: counted, logged once per streak. */
  readonly writes: WriteFailures;

  constructor(private readonly options: ServiceOptions) {
    this.log = options.log ?? (() => undefined);
    this.metrics = createMetrics({
      version: options.version,
      defaultMetrics: options.defaultMetrics,
    });
    this.writes = new WriteFailures({
      count: (file) => this.metrics.writeErrors.inc({ file }),
      log: (message, file) =>
        this.log(
          `${message} (counted in laneguard_write_errors_total{file="${file}"}; logged again only after a write of it works)`,
        ),
      recovered: (file) => this.log(`writing ${file} works again`),
    });
    this.metrics.sources.now = () => options.clock.now().getTime();
    this.config = loadConfig({ root: options.root, env: options.env });
    this.credentials = loadCredentials(this.config, options.env ?? process.env);
    publishConfig(this.metrics, this.config.endpoints, options.clock.now());
    this.deps = this.buildDeps(this.config);
    this.deps.history.repair();
    for (const file of removeStrayTemps(
      laneguardWriteDirs(this.config),
      Date.now() /* file times are wall-clock */,
    ))
      this.log(`removed stray temp file ${file} (a write that was killed)`);
    this.startedAt = options.clock.now();
    this.runner = new CycleRunner({
      deps: () => this.deps,
      lockWaitMs: 10 * 60_000,
      onResult: (result) => this.onCycle(result),
      onError: (error, request) => {
        this.lastCycleError = error.message;
        this.metrics.cycles.inc({ trigger: request.trigger, result: 'error' });
        this.log(`cycle failed (${request.trigger}): ${error.message}`);
      },
    });
    this.fleetStatus = readFleetStatus(this.config.paths.fleetStatus);
    publishFleetStatus(this.metrics, this.fleetStatus);
  }

  get history(): HistoryStore {
    return this.deps.history;
  }

  get ready(): boolean {
    return this.lastResult !== null;
  }

  get clock(): Clock {
    return this.options.clock;
  }

  private buildDeps(config: LoadedConfig): GuardDeps {
    return {
      config,
      adapter: createLaneAdapter(config),
      history: new HistoryStore(
        config.paths.history,
        { maxBytes: config.guard.history.max_bytes, keepFiles: config.guard.history.keep_files },
        this.options.clock,
        (error) => {
          this.metrics.historyWriteErrors.inc();
          this.writes.failed('history', asFileError('write', config.paths.history, error));
        },
      ),
      clock: this.options.clock,
      http: this.options.http ?? fetchHttpClient,
      runner: this.options.runner ?? runArgv,
      probe: () => this.probe(),
      signal: this.shutdown.signal,
      writes: this.writes,
    };
  }

  private onCycle(result: CycleResult): void {
    this.lastResult = result;
    this.lastCycleError = null;
    // The cycle read the file when it began; a probe or scan may have written a newer one since.
    if (result.fleetStatus && !olderThan(result.fleetStatus, this.fleetStatus))
      this.fleetStatus = result.fleetStatus;
    if (result.probe) this.lastProbe = result.probe;
    publishCycle(this.metrics, result, this.options.clock.now());
  }

  /** Trigger a cycle; concurrent triggers coalesce into one follow-up cycle. */
  cycle(request: CycleRequest): Promise<CycleResult> {
    return this.runner.trigger(request);
  }

  /** One probe round; a round already in flight is shared, never doubled (hysteresis counts rounds). */
  probe(): Promise<FleetProbe> {
    this.probing ??= this.exclusive(() => this.probeNow()).finally(() => {
      this.probing = null;
    });
    return this.probing;
  }

  private async probeNow(): Promise<FleetProbe> {
    const { guard, paths, endpoints } = this.config;
    const probe = await probeFleet({
      endpoints,
      statusFile: paths.fleetStatus,
      hysteresis: { healthyAfter: guard.healthy_after, unhealthyAfter: guard.unhealthy_after },
      concurrency: guard.probe_concurrency,
      http: this.deps.http,
      clock: this.options.clock,
      writes: this.writes,
    });
    for (const t of probe.transitions) this.deps.history.append('endpoint_state_changed', { ...t });
    this.lastProbe = probe;
    this.fleetStatus = probe.status;
    publishProbeRound(this.metrics, probe);
    return probe;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.statusQueue.then(fn, fn);
    this.statusQueue = next.catch(() => undefined);
    return next;
  }

  /** Capability scan of the endpoints that are due (fresh results and failed-scan backoff respected). */
  async scan(force = false): Promise<FleetScan | null> {
    const { guard, paths, endpoints } = this.config;
    const interval = guard.fleet_capability_scan_interval_sec;
    if (
      !force &&
      !scanDue(
        readFleetStatus(paths.fleetStatus),
        this.options.clock.now(),
        interval,
        endpoints.filter((e) => e.enabled).map((e) => e.id),
      )
    )
      return null;
    const scan = await this.exclusive(() =>
      scanFleet({
        endpoints,
        statusFile: paths.fleetStatus,
        http: this.deps.http,
        clock: this.options.clock,
        intervalSec: interval,
        force,
        history: this.deps.history,
        writes: this.writes,
      }),
    );
    this.fleetStatus = scan.status;
    publishScan(this.metrics, scan.status);
    return scan;
  }

  /**
   * Read what other laneguard processes write (heartbeat, watchdog) into the metrics' sources: the
   * only read of those files for the metrics (on serve's timer); scrapes show what was read last.
   */
  refreshSideStates(): void {
    const sources = this.metrics.sources;
    sources.heartbeat = readHeartbeatState(this.config.paths.heartbeatState);
    sources.watchdog = readWatchdogSnapshot(watchdogStateFile(this.config.root));
  }

  /** Re-read config; an invalid new config keeps the old one running. */
  reload(source: string): { ok: boolean; error?: string } {
    try {
      const next = loadConfig({ root: this.options.root, env: this.options.env });
      const credentials = loadCredentials(next, this.options.env ?? process.env);
      this.config = next;
      this.credentials = credentials;
      this.deps = this.buildDeps(next);
      publishConfig(this.metrics, next.endpoints, this.options.clock.now());
      this.deps.history.append('config_reloaded', { source });
      this.log(`config reloaded (${source})`);
      return { ok: true };
    } catch (err) {
      const error = (err as Error).message;
      publishReloadFailed(this.metrics);
      this.deps.history.append('config_reload_failed', { source, error });
      this.log(`config reload failed (${source}), keeping the running config:\n${error}`);
      return { ok: false, error };
    }
  }

  endpointViews() {
    return buildEndpointViews(this.config.endpoints, this.fleetStatus);
  }

  /**
   * Run the fleet's ensure command once, outside a cycle (the webhook's `ensure` action). Calls made
   * while one runs share it. Same gates as the cycle's ensure: never below the endpoint floor, never
   * while the recovery circuit is open, never in dry-run; it holds the root's cycle lock while it
   * runs, so it never overlaps a cycle.
   */
  ensure(trigger: Trigger): Promise<EnsureResult> {
    const context: EnsureContext = {
      deps: this.deps,
      endpoints: () => this.endpointViews(),
      refresh: () => this.freshEndpoints(),
      count: (result) => this.metrics.recoveryActions.inc({ action: 'ensure', result }),
    };
    this.ensuring ??= ensureOutsideCycle(context, trigger).finally(() => {
      this.ensuring = null;
    });
    return this.ensuring;
  }

  /** Cancel the fleet commands in flight (TERM, then KILL of each command's process tree); start no new one. */
  cancelCommands(): void {
    this.shutdown.abort();
  }

  /** Resolves when no ensure run is in flight. */
  async ensureIdle(): Promise<void> {
    await this.ensuring?.catch(() => undefined);
  }

  /** Probe now when the last probe is missing or older than the probe interval (as a cycle does). */
  private async freshEndpoints(): Promise<void> {
    const probedAt = this.fleetStatus?.probe?.timestamp
      ? Date.parse(this.fleetStatus.probe.timestamp)
      : NaN;
    const age = this.options.clock.now().getTime() - probedAt;
    if (!Number.isFinite(age) || age >= this.config.guard.fleet_probe_interval_sec * 1000)
      await this.probe();
  }
}
