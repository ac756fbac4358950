// Write-ahead starts: `lane_start_requested` is recorded before a start command runs, its outcome
// after. A run killed in between leaves an intent without an outcome; the next cycle settles it, so
// neither the history nor the backoff ever misses a start.
import type { LaneBackoff, LaneSnapshot } from '../domain/types.js';
import { recordFailure, emptyBackoff, type BackoffConfig } from '../core/guard/backoff.js';

export const START_REQUESTED = 'lane_start_requested';
const OUTCOMES = new Set([
  'lane_started',
  'lane_start_failed',
  'lane_restarted',
  'lane_restart_failed',
]);

/** Bounds the look back: intents are settled by the next cycle, so they are never far back. */
const MAX_LINES = 50_000;

export interface StartIntent {
  lane: string;
  trigger: string;
  cycle_id: string;
  ts: string;
}

interface EventLike {
  type: string;
  ts: string;
  [field: string]: unknown;
}

const key = (cycleId: unknown, lane: unknown): string => `${String(cycleId)}\u0000${String(lane)}`;

/**
 * Intents without an outcome, from events newest first. Everything before the newest `cycle` event
 * was settled by that cycle (cycles never overlap, and each settles what it finds), so the scan
 * stops there.
 */
export async function unsettledIntents(
  newestFirst: AsyncIterable<EventLike | null>,
): Promise<StartIntent[]> {
  const settled = new Set<string>();
  const open: StartIntent[] = [];
  let lines = 0;
  for await (const event of newestFirst) {
    if (++lines > MAX_LINES) break;
    if (!event) continue;
    if (event.type === 'cycle') break;
    if (OUTCOMES.has(event.type)) settled.add(key(event.cycle_id, event.lane));
    else if (
      event.type === START_REQUESTED &&
      typeof event.lane === 'string' &&
      typeof event.cycle_id === 'string'
    ) {
      if (!settled.has(key(event.cycle_id, event.lane)))
        open.push({
          lane: event.lane,
          trigger: String(event.trigger ?? 'unknown'),
          cycle_id: event.cycle_id,
          ts: event.ts,
        });
      settled.add(key(event.cycle_id, event.lane));
    }
  }
  return open.reverse();
}

export interface Settlement {
  /** Outcome events to append, each under the cycle that asked for the start. */
  events: Array<{ type: 'lane_started' | 'lane_start_failed'; fields: Record<string, unknown> }>;
  /** Backoff memory with the settled starts applied. */
  lanes: Record<string, LaneBackoff>;
  startedLate: string[];
  failed: string[];
}

/**
 * Settle intents against the lanes as read now (pure): a lane that runs was started late (its start
 * is remembered, so a quick death still counts as a crash); one that does not run failed to start
 * and backs off like any failed start.
 */
export function settleIntents(
  intents: readonly StartIntent[],
  lanes: readonly LaneSnapshot[],
  backoff: Record<string, LaneBackoff>,
  now: Date,
  cfg: BackoffConfig,
  cycleId: string,
): Settlement {
  // Almost every cycle finds nothing to settle: the memory comes back as it was, not copied.
  if (intents.length === 0) return { events: [], lanes: backoff, startedLate: [], failed: [] };
  const byId = new Map(lanes.map((l) => [l.id, l]));
  const next = { ...backoff };
  const out: Settlement = { events: [], lanes: next, startedLate: [], failed: [] };
  for (const intent of intents) {
    const lane = byId.get(intent.lane);
    const common = {
      cycle_id: intent.cycle_id,
      lane: intent.lane,
      trigger: intent.trigger,
      late: true,
      settled_by: cycleId,
    };
    if (lane?.running) {
      out.startedLate.push(intent.lane);
      next[intent.lane] = {
        ...(next[intent.lane] ?? emptyBackoff()),
        last_start_at: intent.ts,
        awaiting_exit: true,
        backoff_until: null,
      };
      out.events.push({ type: 'lane_started', fields: { ...common, pid: lane.pid } });
    } else {
      out.failed.push(intent.lane);
      next[intent.lane] = recordFailure(next[intent.lane] ?? emptyBackoff(), now, cfg, 'start');
      out.events.push({
        type: 'lane_start_failed',
        fields: {
          ...common,
          exit_code: null,
          error: 'interrupted before the outcome was recorded, and the lane is not running',
          output: '',
        },
      });
    }
  }
  return out;
}
