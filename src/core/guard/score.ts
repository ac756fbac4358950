import type { LaneSnapshot } from '../../domain/types.js';

export interface ScoreConfig {
  allow_blocked_recovery: boolean;
  queue_depth_enables_start: boolean;
}

/** Start priority: 100·pending + 50·in_progress + 5·blocked (when allowed) + 120·queued (when enabled). */
export function workScore(lane: LaneSnapshot, cfg: ScoreConfig): number {
  const w = lane.work;
  return (
    100 * w.pending +
    50 * w.in_progress +
    (cfg.allow_blocked_recovery ? 5 * w.blocked : 0) +
    (cfg.queue_depth_enables_start ? 120 * w.queued : 0)
  );
}
