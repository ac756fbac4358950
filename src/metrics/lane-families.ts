// The per-lane metric families, declared once: name, HELP text, and how one lane's sample lines
// are written. They are written straight from the latest cycle result (lane-exposition.ts), not
// held as gauges in the registry: at 10,000 lanes they are ~150,000 series, and prom-client renders
// a family in one synchronous piece. Names, labels, HELP texts and values are those the gauges
// exported; the lines are written as bytes (byte-chunks.ts).
import { backoffRemainingSec, crashLooping, startFailing } from '../core/guard/backoff.js';
import type { LaneDecision } from '../core/guard/policy.js';
import { LANES_PER_STEP, type Steps } from '../core/steps.js';
import type { LaneSnapshot } from '../domain/types.js';
import type { CycleResult } from '../guard/cycle.js';
import { stalledAfter } from '../guard/report.js';
import { MAX_VALUE_BYTES, maxUtf8, utf8, type ByteChunks } from './byte-chunks.js';
import { escapeLabelValue, formatValue } from './exposition-text.js';

/** One lane's values, computed once per scrape and shared by every family. */
export interface LaneRow {
  lane: LaneSnapshot;
  /** `lane="…"` in UTF-8, escaped once. */
  laneLabel: Uint8Array;
  starved: boolean;
  stalled: boolean;
  backoffSec: number;
  crashLoop: boolean;
  startFailing: boolean;
}

export interface LaneFamily {
  name: string;
  help: string;
  /** Write the family's sample lines for one lane (none when it has none). */
  write: (row: LaneRow, out: ByteChunks) => void;
  /** What the lines depend on besides the lane label: equal keys (`Object.is`), equal lines. */
  key: (row: LaneRow) => unknown;
}

const OPEN = 0x7b; // {
const CLOSE_SPACE = utf8('} ');
/** Room for the bytes around a line's name, label and value: braces, space, newline. */
const LINE_EXTRA = 8;

const b = (v: boolean): number => (v ? 1 : 0);

/** `name{lane="…"} value`, the line of a family with the lane label alone. */
function one(name: string, value: (row: LaneRow) => number | null): LaneFamily['write'] {
  const head = utf8(name);
  return (row, out) => {
    const v = value(row);
    // Absent, as a gauge that was not set for this lane.
    if (v === null) return;
    out.room(head.length + row.laneLabel.length + MAX_VALUE_BYTES + LINE_EXTRA);
    out.bytes(head);
    out.byte(OPEN);
    out.bytes(row.laneLabel);
    out.bytes(CLOSE_SPACE);
    out.value(v, formatValue);
    out.newline();
  };
}

function family(name: string, help: string, value: (row: LaneRow) => number | null): LaneFamily {
  const full = `laneguard_${name}`;
  return { name: full, help, write: one(full, value), key: value };
}

const INFO_HEAD = utf8('laneguard_lane_info{');
const INFO_OWNER = utf8(',owner="');
const INFO_LOCAL_TRUE = utf8('",local_only="true"} 1');
const INFO_LOCAL_FALSE = utf8('",local_only="false"} 1');

const WORK_HEAD = utf8('laneguard_lane_work_items{');
const WORK_STATE = utf8(',state="');
const QUOTE_CLOSE_SPACE = utf8('"} ');
/** `state` label values by work state, escaped and encoded once. */
const workStates = new Map<string, Uint8Array>();
function workState(state: string): Uint8Array {
  let bytes = workStates.get(state);
  if (bytes === undefined) {
    bytes = utf8(escapeLabelValue(state));
    // Work states are a handful of names; a fleet inventing more is not remembered without end.
    if (workStates.size < 64) workStates.set(state, bytes);
  }
  return bytes;
}

/** In the order the registry defined them. */
export const LANE_FAMILIES: readonly LaneFamily[] = [
  {
    name: 'laneguard_lane_info',
    help: 'Static facts about a lane (always 1).',
    write: (r, out) => {
      const owner = escapeLabelValue(r.lane.owner);
      out.room(INFO_HEAD.length + r.laneLabel.length + maxUtf8(owner) + 64);
      out.bytes(INFO_HEAD);
      out.bytes(r.laneLabel);
      out.bytes(INFO_OWNER);
      out.text(owner);
      out.bytes(r.lane.localOnly ? INFO_LOCAL_TRUE : INFO_LOCAL_FALSE);
      out.newline();
    },
    key: (r) => `${r.lane.localOnly ? 't' : 'f'}${r.lane.owner}`,
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
    write: (r, out) => {
      const work = r.lane.work;
      for (const state in work) {
        const n = work[state as keyof typeof work];
        const label = workState(state);
        out.room(WORK_HEAD.length + r.laneLabel.length + label.length + MAX_VALUE_BYTES + 16);
        out.bytes(WORK_HEAD);
        out.bytes(r.laneLabel);
        out.bytes(WORK_STATE);
        out.bytes(label);
        out.bytes(QUOTE_CLOSE_SPACE);
        out.value(n, formatValue);
        out.newline();
      }
    },
    key: (r) => {
      const work = r.lane.work;
      // A frozen object cannot change: the orxaq adapter hands each lane one while its work files
      // do not change. Any other is keyed by its counts, in line order.
      if (Object.isFrozen(work)) return work;
      let key = '';
      for (const state in work) key += `${state}:${work[state as keyof typeof work]},`;
      return key;
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

/** `lane="…"` by lane id, encoded once: the same few thousand ids scrape after scrape. */
let laneLabels = new Map<string, Uint8Array>();
/** Past this many ids (a fleet whose lane ids keep changing), the memo starts over. */
const LANE_LABELS_MAX = 100_000;
function laneLabel(id: string): Uint8Array {
  let bytes = laneLabels.get(id);
  if (bytes === undefined) {
    if (laneLabels.size >= LANE_LABELS_MAX) laneLabels = new Map();
    bytes = utf8(`lane="${escapeLabelValue(id)}"`);
    laneLabels.set(id, bytes);
  }
  return bytes;
}

/**
 * Every lane's row of `result`, in steps (LANES_PER_STEP lanes between pauses): first what the rows
 * share (each one pass over the fleet), then one row per lane.
 */
export function* laneRowsSteps(result: CycleResult, now: Date): Steps<LaneRow[]> {
  const stalled = stalledAfter(result.report);
  const decisions = new Map<string, LaneDecision>();
  let n = 0;
  for (const d of result.plan.decisions) {
    decisions.set(d.id, d);
    if (++n % LANES_PER_STEP === 0) yield;
  }
  const startedIds = new Set(result.report.started.filter((s) => !s.dry_run).map((s) => s.id));
  const crashLoop = new Set(crashLooping(result.state));
  const startFails = new Set(startFailing(result.state));
  yield;
  const rows: LaneRow[] = [];
  for (const lane of result.lanes) {
    rows.push({
      lane,
      laneLabel: laneLabel(lane.id),
      starved:
        (decisions.get(lane.id)?.starved ?? false) && !lane.running && !startedIds.has(lane.id),
      stalled: stalled.has(lane.id),
      backoffSec: backoffRemainingSec(result.state.lanes[lane.id], now),
      crashLoop: crashLoop.has(lane.id),
      startFailing: startFails.has(lane.id),
    });
    if (++n % LANES_PER_STEP === 0) yield;
  }
  return rows;
}
