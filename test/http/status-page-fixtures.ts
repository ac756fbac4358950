// Hand-built status page input: what `/api/v1/status` would hold for a small troubled fleet.
import { emptyWork } from '../../src/domain/types.js';
import type { HistoryEvent } from '../../src/history/store.js';
import type { PageStatus, StatusPageInput } from '../../src/http/page/render.js';
import type { PageCycle } from '../../src/http/page/sections-guard.js';
import type { PageEndpoint, PageLane } from '../../src/http/page/states.js';

export const NOW = new Date('2026-06-01T12:00:00.000Z');
export const ago = (sec: number): string => new Date(NOW.getTime() - sec * 1000).toISOString();

export function endpointRow(id: string, over: Partial<PageEndpoint> = {}): PageEndpoint {
  return {
    id,
    base_url: `http://127.0.0.1:11434/${id}/v1`,
    kind: 'openai',
    state: 'up',
    healthy: true,
    latency_ms: 12.4,
    error: null,
    models: ['m1'],
    probed_at: ago(3),
    max_parallel: { configured: 4, recommended: null, effective: 4 },
    ...over,
  };
}

export function laneRow(id: string, over: Partial<PageLane> = {}): PageLane {
  return {
    id,
    local: true,
    running: false,
    pid: null,
    paused: false,
    pause_held: false,
    pause_stale: false,
    pause_age_sec: null,
    pause_message: null,
    work: { ...emptyWork(), pending: 1 },
    starved: false,
    backoff_sec: 0,
    reason: null,
    owner: 'ops',
    ...over,
  };
}

export function cycleReport(over: Partial<PageCycle> = {}): PageCycle {
  return {
    timestamp: ago(20),
    trigger: 'schedule',
    dry_run: false,
    local_lane_total: 3,
    local_running_after: 1,
    healthy_endpoint_count: 1,
    consecutive_idle_cycles: 0,
    endpoint_floor_unmet_cycles: 0,
    floor_met: true,
    idle_while_demand: false,
    started_count: 1,
    unpaused_count: 0,
    failed_count: 0,
    ...over,
  };
}

export function status(over: Partial<PageStatus> = {}): PageStatus {
  return {
    version: '0.1.0',
    mode: 'hybrid',
    ready: true,
    started_at: ago(600),
    endpoints: [endpointRow('lm')],
    lanes: [laneRow('a', { running: true, pid: 4242 })],
    lane_errors: [],
    anomalies: [],
    last_cycle: cycleReport(),
    last_cycle_error: null,
    ...over,
  };
}

export function cycleEvent(
  secAgo: number,
  idle: number,
  over: Record<string, unknown> = {},
): HistoryEvent {
  return {
    ts: ago(secAgo),
    type: 'cycle',
    consecutive_idle_cycles: idle,
    local_running_after: idle > 0 ? 0 : 1,
    endpoint_floor_unmet_cycles: 0,
    anomalies: [],
    ...over,
  };
}

export function pageInput(over: Partial<StatusPageInput> = {}): StatusPageInput {
  return {
    status: status(),
    events: [],
    historyError: null,
    now: NOW,
    refreshSec: 10,
    idleThreshold: 6,
    ...over,
  };
}
