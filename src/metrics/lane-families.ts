// The per-lane metric families, declared once: name, HELP text, and the sample lines of one lane.
// They are written straight from the latest cycle result (lane-exposition.ts), not held as gauges in
// the registry: at 10,000 lanes they are ~150,000 series, and prom-client renders a family in one
// synchronous piece. Names, labels, HELP texts and values are those the gauges exported.
import { backoffRemainingSec, crashLooping, startFailing } from '../core/guard/backoff.js';
import type { LaneSnapshot } from '../domain/types.js';
import type { CycleResult } from '../guard/cycle.js';
import { stalledAfter } from '../guard/report.js';
import { escapeLabelValue, formatValue } from './exposition-text.js';

/** One lane's values, computed once per scrape and shared by every family. */
export interface LaneRow {
  lane: LaneSnapshot;
  /** `lane="…"`, escaped once. */
  laneLabel: string;
  starved: boolean;
  stalled: boolean;
  backoffSec: number;
  crashLoop: boolean;
  startFailing: boolean;
}

export interface LaneFamily {
  name: string;
  help: string;
  /** The family's sample lines for one lane, each ending in a newline; '' when it has none. */
  lines: (row: LaneRow) => string;
}

const b = (v: boolean): number => (v ? 1 : 0);
const one =
  (name: string, value: (row: LaneRow) => number | null) =>
  (row: LaneRow): string => {
    const v = value(row);
    // Absent, as a gauge that was not set for this lane.
    return v === null ? '' : `${name}{${row.laneLabel}} ${formatValue(v)}\n`;
  };

function family(name: string, help: string, value: (row: LaneRow) => number | null): LaneFamily {
  const full = `laneguard_${name}`;
  return { name: full, help, lines: one(full, value) };
}

/** In the order the registry defined them. */
export const LANE_FAMILIES: readonly LaneFamily[] = [
  {
    name: 'laneguard_lane_info',
    help: 'Static facts about a lane (always 1).',
    lines: (r) =>
      `laneguard_lane_info{${r.laneLabel},owner="${escapeLabelValue(r.lane.owner)}",local_only="${String(r.lane.localOnly)}"} 1\n`,
  },
  family(
    'lane_running',
    'Whether the lane runs: its pid is alive and its command line matches the lane.',
    (r) => b(r.lane.running),
  ),
  family('lane_paused', 'Whether the lane has a paused.flag.', (r) => b(r.lane.paused)),
  family(
    'lane_pause_age_seconds',
    'Age of the pause flag; present only while the lane is paused.',
    (r) => (r.lane.pause ? r.lane.pause.ageSec : null),
  ),
  family(
    'lane_pause_stale',
    'Whether the pause is manual, not held and older than stale_manual_pause_sec.',
    (r) => b(r.lane.pause?.stale ?? false),
  ),
  family(
    'lane_pause_held',
    'Whether the pause is an operator hold (never cleared automatically).',
    (r) => b(r.lane.pause?.held ?? false),
  ),
  {
    name: 'laneguard_lane_work_items',
    help: 'Work items of the lane by state.',
    lines: (r) => {
      let out = '';
      for (const [state, n] of Object.entries(r.lane.work))
        out += `laneguard_lane_work_items{${r.laneLabel},state="${escapeLabelValue(state)}"} ${formatValue(n)}\n`;
      return out;
    },
  },
  family(
    'lane_heartbeat_age_seconds',
    'Age of the lane heartbeat; absent when the lane has none.',
    (r) => r.lane.heartbeatAgeSec,
  ),
  family(
    'lane_starved',
    'Whether the lane is stopped with work while one of its endpoints is healthy and it is not held.',
    (r) => b(r.starved),
  ),
  family(
    'lane_stalled',
    'Whether the lane runs but is stalled: heartbeat and work counts unchanged for stalled_after_sec.',
    (r) => b(r.stalled),
  ),
  family(
    'lane_backoff_seconds',
    'Seconds left in the lane crash-loop backoff (0 when none).',
    (r) => r.backoffSec,
  ),
  family(
    'lane_crash_loop',
    'Whether the lane started and died soon after, 3 times in a row (anomaly lane_crash_loop).',
    (r) => b(r.crashLoop),
  ),
  family(
    'lane_start_failing',
    "Whether the lane's start command failed 3 times in a row (anomaly start_failing).",
    (r) => b(r.startFailing),
  ),
];

/** What every row needs from the whole result, computed once (each is one pass over the fleet). */
export function laneRowContext(result: CycleResult, now: Date): (lane: LaneSnapshot) => LaneRow {
  const stalled = stalledAfter(result.report);
  const decisions = new Map(result.plan.decisions.map((d) => [d.id, d]));
  const startedIds = new Set(result.report.started.filter((s) => !s.dry_run).map((s) => s.id));
  const crashLoop = new Set(crashLooping(result.state));
  const startFails = new Set(startFailing(result.state));
  return (lane) => ({
    lane,
    laneLabel: `lane="${escapeLabelValue(lane.id)}"`,
    starved:
      (decisions.get(lane.id)?.starved ?? false) && !lane.running && !startedIds.has(lane.id),
    stalled: stalled.has(lane.id),
    backoffSec: backoffRemainingSec(result.state.lanes[lane.id], now),
    crashLoop: crashLoop.has(lane.id),
    startFailing: startFails.has(lane.id),
  });
}
