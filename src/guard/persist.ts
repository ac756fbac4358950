// The end of a cycle: state and report written, history events appended.
import type { LoadedConfig } from '../config/load.js';
import type { Conclusion } from '../core/guard/conclude.js';
import type { HistoryStore } from '../history/store.js';
import { atomicWriteJsonAsync } from '../store/atomic.js';
import { tolerantWriteAsync, type WriteSink } from '../store/write-errors.js';
import { skipCounts, type CycleReport } from './report.js';
import { saveGuardStateAsync } from './state-store.js';

export async function persist(
  deps: { config: LoadedConfig; history: HistoryStore; writes?: WriteSink },
  conclusion: Conclusion,
  report: CycleReport,
  cycleId: string,
): Promise<void> {
  // A full disk must not undo what the cycle did: the failure is counted, the history still written.
  // Written off the event loop: the report names every lane, and the daemon keeps answering meanwhile.
  await tolerantWriteAsync('state', deps.writes, () =>
    saveGuardStateAsync(deps.config.paths.state, conclusion.state),
  );
  await tolerantWriteAsync('report', deps.writes, () =>
    atomicWriteJsonAsync(deps.config.paths.report, report),
  );
  // The lane anomalies name their lanes.
  const lanesOf = (anomaly: string): { lanes?: string[] } =>
    anomaly === 'lane_crash_loop'
      ? { lanes: conclusion.crashLoopingLanes }
      : anomaly === 'start_failing'
        ? { lanes: conclusion.startFailingLanes }
        : {};
  for (const anomaly of conclusion.raised)
    deps.history.append('anomaly_raised', { cycle_id: cycleId, anomaly, ...lanesOf(anomaly) });
  for (const anomaly of conclusion.cleared)
    deps.history.append('anomaly_cleared', { cycle_id: cycleId, anomaly });
  deps.history.append('cycle', {
    cycle_id: cycleId,
    trigger: report.trigger,
    mode: report.mode,
    dry_run: report.dry_run,
    duration_ms: report.duration_ms,
    ok: report.ok,
    local_lane_total: report.local_lane_total,
    local_running_before: report.local_running_before,
    local_running_after: report.local_running_after,
    healthy_endpoint_count: report.healthy_endpoint_count,
    started_count: report.started_count,
    unpaused_count: report.unpaused_count,
    restarted_count: report.restarted_count,
    stalled_count: report.stalled.length,
    failed_count: report.failed_count,
    skipped_count: report.skipped_count,
    consecutive_idle_cycles: report.consecutive_idle_cycles,
    endpoint_floor_unmet_cycles: report.endpoint_floor_unmet_cycles,
    anomalies: report.anomalies,
    skipped: skipCounts(report),
  });
}
