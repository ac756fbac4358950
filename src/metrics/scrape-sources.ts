// What the metrics' collect() functions read at scrape time: the latest results, held in memory
// (publish.ts and the service replace them as results arrive), and what the gauges derive from them.
// Memory only: a scrape reads no file.
import type { EndpointConfig } from '../config/fleet-schema.js';
import { buildEndpointViews } from '../core/fleet/view.js';
import type { EndpointView } from '../domain/types.js';
import type { FleetStatus, ProbeRecord } from '../fleet/status-file.js';
import type { CycleResult } from '../guard/cycle.js';
import { stalledAfter } from '../guard/report.js';
import type { HeartbeatState } from '../heartbeat/state.js';
import type { LaneSource } from './lane-exposition.js';
import { LANES_PER_STEP, runToEnd, type Steps } from '../core/steps.js';
import { runSliced, type TimeSlicer } from '../util/slice.js';

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

/** Each source is replaced, never changed in place (the counts excepted). */
export interface ScrapeSources {
  /** The endpoints of the config as last (re)loaded: no endpoint series is set for any other. */
  endpoints: readonly EndpointConfig[];
  /** Whether the last (re)load succeeded, and the Unix time of the last one that did. */
  reload: { ok: boolean; successAtSec: number | null };
  /** The latest probe round as recorded in fleet_status.json (the file's at start-up). */
  probe: FleetStatus['probe'];
  /** The latest capability scan as recorded in fleet_status.json (the file's at start-up). */
  scan: FleetStatus['capability_scan'];
  /** The latest cycle result: the guard gauges and the lane families (lane-exposition.ts). */
  lanes: LaneSource | null;
  /** Probes counted by this process, per endpoint and result (also of endpoints since dropped). */
  probeResults: Map<string, Map<string, number>>;
  /** Canary tokens counted by this process, per endpoint. */
  canaryTokens: Map<string, number>;
  /** The heartbeat state as last read (on a timer, never at scrape time). */
  heartbeat: HeartbeatState | null;
  watchdog: WatchdogSnapshot | null;
  now: () => number;
}

export function emptySources(): ScrapeSources {
  return {
    endpoints: [],
    reload: { ok: true, successAtSec: null },
    probe: null,
    scan: null,
    lanes: null,
    probeResults: new Map(),
    canaryTokens: new Map(),
    heartbeat: null,
    watchdog: null,
    now: () => Date.now(),
  };
}

export type ScrapeView = ReturnType<typeof scrapeView>;

/** What several families read: each derived once per new source, however many families read it. */
export function scrapeView(sources: ScrapeSources) {
  const probedOf = lastDerived(probedEndpoints);
  const viewsOf = lastDerived(endpointViews);
  let values: { result: CycleResult; values: CycleValues } | null = null;
  const valuesOf = (result: CycleResult): CycleValues => {
    if (values?.result !== result) values = { result, values: runToEnd(cycleValuesSteps(result)) };
    return values.values;
  };
  return {
    /** The configured endpoints that the latest probe round recorded. */
    probed: () => probedOf(sources.endpoints, sources.probe, sources.scan),
    /** The decision view of every configured endpoint. */
    views: () => viewsOf(sources.endpoints, sources.probe, sources.scan),
    /** The latest cycle result and its values, or null before the first cycle. */
    cycle: (): { result: CycleResult; values: CycleValues } | null => {
      const result = sources.lanes?.result;
      return result ? { result, values: valuesOf(result) } : null;
    },
    /**
     * Derive the latest cycle's values ahead of a render, in slices: collect() is synchronous, and
     * over 10,000 lanes they are several passes (~5 ms in one piece).
     */
    prepare: async (slicer: TimeSlicer): Promise<void> => {
      // Until the latest result is the one derived: a cycle may end while one is being derived.
      for (
        let result = sources.lanes?.result;
        result && values?.result !== result;
        result = sources.lanes?.result
      ) {
        const derived = await runSliced(cycleValuesSteps(result), slicer);
        values = { result, values: derived };
      }
    },
  };
}

/**
 * `derive` of the latest arguments, computed again only when one of them is another object: the
 * sources are replaced, never changed in place, so each result is derived once, not once per
 * family and scrape (the cycle's values are passes over every lane).
 */
function lastDerived<A extends readonly unknown[], V>(
  derive: (...args: A) => V,
): (...args: A) => V {
  let last: { args: A; value: V } | null = null;
  return (...args) => {
    if (!last || args.some((arg, i) => arg !== last!.args[i]))
      last = { args, value: derive(...args) };
    return last.value;
  };
}

/** A configured endpoint as the latest probe left it. */
export interface ProbedEndpoint {
  view: EndpointView;
  record: ProbeRecord;
}

/**
 * The configured endpoints that the latest probe round recorded, with the decision view of each
 * (health, effective parallelism). A record of an endpoint no longer configured is not among them.
 */
function probedEndpoints(
  endpoints: readonly EndpointConfig[],
  probe: FleetStatus['probe'],
  scan: FleetStatus['capability_scan'],
): ProbedEndpoint[] {
  const records = new Map((probe?.endpoints ?? []).map((r) => [r.id, r]));
  const out: ProbedEndpoint[] = [];
  for (const view of endpointViews(endpoints, probe, scan)) {
    const record = records.get(view.id);
    if (record) out.push({ view, record });
  }
  return out;
}

/** The decision view of every configured endpoint (parallelism from the latest scan). */
function endpointViews(
  endpoints: readonly EndpointConfig[],
  probe: FleetStatus['probe'],
  scan: FleetStatus['capability_scan'],
): EndpointView[] {
  return buildEndpointViews(endpoints, { timestamp: '', probe, capability_scan: scan });
}

/** The values of one cycle result that the guard gauges show. */
export interface CycleValues {
  localLanes: { running: number; paused: number; stopped: number; total: number };
  /** Pending plus queued work of local lanes whose pause is not held (demand), and of held ones. */
  pendingWork: number;
  heldWork: number;
  starved: number;
  stalled: number;
  /** Per endpoint id: running lanes placed on it, and lanes with work that use it. */
  lanesRunning: Map<string, number>;
  lanesWithWork: Map<string, number>;
}

function* cycleValuesSteps(result: CycleResult): Steps<CycleValues> {
  const local = new Set(result.plan.localLaneIds);
  let running = 0;
  let paused = 0;
  let total = 0;
  // Work of a lane whose pause is held is kept back on purpose: counted apart, never demand.
  let pendingWork = 0;
  let heldWork = 0;
  const runningNow = new Set<string>();
  let n = 0;
  for (const l of result.lanes) {
    if (++n % LANES_PER_STEP === 0) yield;
    if (!local.has(l.id)) continue;
    total++;
    if (l.running) {
      running++;
      runningNow.add(l.id);
    } else if (l.paused) paused++;
    const work = l.work.pending + l.work.queued;
    if (l.pause?.held ?? false) heldWork += work;
    else pendingWork += work;
  }
  const startedIds = new Set(result.report.started.filter((s) => !s.dry_run).map((s) => s.id));
  // Lanes per endpoint after the cycle: running lanes where they were placed.
  const lanesRunning = new Map<string, number>();
  const lanesWithWork = new Map<string, number>();
  let starved = 0;
  for (const d of result.plan.decisions) {
    if (++n % LANES_PER_STEP === 0) yield;
    if (d.starved && !startedIds.has(d.id) && !runningNow.has(d.id)) starved += 1;
    if (d.endpointKey && runningNow.has(d.id))
      lanesRunning.set(d.endpointKey, (lanesRunning.get(d.endpointKey) ?? 0) + 1);
    if (d.hasWork)
      for (const id of new Set(d.endpointIds))
        lanesWithWork.set(id, (lanesWithWork.get(id) ?? 0) + 1);
  }
  return {
    localLanes: { running, paused, stopped: total - running - paused, total },
    pendingWork,
    heldWork,
    starved,
    stalled: stalledAfter(result.report).size,
    lanesRunning,
    lanesWithWork,
  };
}
