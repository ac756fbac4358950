// Turns history events into sentences a person follows as the demo runs.
import type { HistoryEvent } from '../history/store.js';

export function narrate(
  event: HistoryEvent,
  report?: {
    local_running_before: number;
    local_lane_total: number;
    idle_while_demand: boolean;
    healthy_endpoint_count: number;
    skipped: Array<{ id: string; reason: string }>;
  },
): string[] {
  const e = event as Record<string, unknown> & HistoryEvent;
  switch (e.type) {
    case 'endpoint_state_changed':
      if (e.to_healthy) return [`endpoint ${e.endpoint} is healthy (${e.reason})`];
      return [
        `endpoint ${e.endpoint} is ${e.to_state === 'starting' ? 'starting' : 'DOWN'}: ${e.reason}`,
      ];
    case 'lane_unpaused':
      return [
        `cleared the stale manual pause of ${e.lane} (paused ${Math.round(Number(e.pause_age_sec) / 60)} min ago: "${e.pause_message}"); the flag is kept in cleared_pauses/`,
      ];
    case 'lane_started':
      return [`started ${e.lane} on ${e.endpoint_key} (score ${e.score}, pid ${e.pid})`];
    case 'lane_stalled':
      return [
        `found ${e.lane} STALLED: alive (pid ${e.pid}) but no heartbeat for ${e.heartbeat_age_sec}s and no progress for ${e.stalled_sec}s${e.repeat ? ' — again soon after its restart, so it backs off' : ''}`,
      ];
    case 'lane_restarted':
      return [
        `restarted stalled ${e.lane}: pid ${e.old_pid} -> ${e.pid} (${e.stopped_by === 'terminated' ? 'its stop command did not stop it: process tree terminated' : "stopped by the fleet's stop command"})`,
      ];
    case 'lane_restart_skipped':
      return [`left stalled ${e.lane} alone: ${e.reason}`];
    case 'lane_restart_failed':
      return [`restart of ${e.lane} FAILED: ${e.error}`];
    case 'lane_start_failed':
      return [`start of ${e.lane} FAILED: ${e.error}`];
    case 'anomaly_raised':
      return [`anomaly raised: ${e.anomaly}`];
    case 'anomaly_cleared':
      return [`anomaly cleared: ${e.anomaly}`];
    case 'ensure_ran':
      return [`ran the fleet's ensure command (${e.ok ? 'ok' : 'failed'})`];
    case 'cycle': {
      const lines: string[] = [];
      if (report && report.local_running_before === 0 && report.healthy_endpoint_count > 0) {
        lines.push(
          `found the fleet idle: 0 of ${report.local_lane_total} local lanes running while ${report.healthy_endpoint_count} endpoint(s) are healthy${report.idle_while_demand || report.skipped.length ? ' and work is waiting' : ''}`,
        );
      }
      for (const s of report?.skipped ?? []) {
        if (s.reason === 'pause_held')
          lines.push(`left the held pause of ${s.id} alone (operator hold)`);
        if (s.reason === 'endpoint_unhealthy')
          lines.push(`${s.id} waits: none of its endpoints is healthy`);
        if (s.reason === 'endpoint_saturated')
          lines.push(
            `${s.id} waits: its server reports requests waiting or no idle slot (endpoint_saturated)`,
          );
      }
      if (report?.skipped.some((s) => s.reason === 'observe_only'))
        lines.push(
          'mode "alert": the schedule only observes (recovery waits for an Alertmanager call)',
        );
      lines.push(
        `cycle ${e.trigger}: running ${e.local_running_before} -> ${e.local_running_after}, started ${e.started_count}, unpaused ${e.unpaused_count}, idle counter ${e.consecutive_idle_cycles}${(e.anomalies as string[]).length ? `, anomalies: ${(e.anomalies as string[]).join(', ')}` : ''}`,
      );
      return lines;
    }
    default:
      return [];
  }
}
