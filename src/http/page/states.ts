// What the status page says about a lane, an endpoint, a skip reason and an anomaly: words first,
// colour (tone) only as a second cue.
import type { StatusView } from '../status-view.js';
import { formatAge } from './format.js';

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'muted';

export interface Badge {
  label: string;
  tone: Tone;
  /** A longer explanation (the `title` tooltip). */
  hint: string;
  /** The alert whose runbook explains this state, when one does. */
  runbook?: string;
}

export type PageLane = Partial<Pick<StatusView['lanes'][number], 'enabled'>> &
  Pick<
    StatusView['lanes'][number],
    | 'id'
    | 'local'
    | 'running'
    | 'pid'
    | 'paused'
    | 'pause_held'
    | 'pause_stale'
    | 'pause_age_sec'
    | 'pause_message'
    | 'work'
    | 'starved'
    | 'backoff_sec'
    | 'reason'
    | 'owner'
  > &
  Partial<Pick<StatusView['lanes'][number], 'stalled' | 'stalled_sec'>>;
export type PageEndpoint = Pick<
  StatusView['endpoints'][number],
  | 'id'
  | 'base_url'
  | 'kind'
  | 'state'
  | 'healthy'
  | 'latency_ms'
  | 'error'
  | 'models'
  | 'probed_at'
  | 'max_parallel'
> &
  Partial<Pick<StatusView['endpoints'][number], 'load'>>;

/** Every state that applies to a lane, most important first. */
export function laneBadges(lane: PageLane): Badge[] {
  const badges: Badge[] = [];
  if (lane.running)
    badges.push({
      label: 'running',
      tone: 'ok',
      hint: `running${lane.pid !== null ? ` (pid ${lane.pid})` : ''}`,
    });
  else if (lane.enabled === false)
    badges.push({
      label: 'disabled',
      tone: 'muted',
      hint: 'enabled: false in lanes.json: never started',
    });
  else
    badges.push({ label: 'stopped', tone: 'muted', hint: 'no live worker process for this lane' });
  if (lane.paused) {
    if (lane.pause_held)
      badges.push({
        label: 'paused: held',
        tone: 'info',
        hint: 'an operator hold: never cleared automatically',
      });
    else if (lane.pause_stale)
      badges.push({
        label: 'paused: stale',
        tone: 'warn',
        hint: 'a manual pause older than stale_manual_pause_sec: cleared when the lane is started',
        runbook: 'LaneguardStalePause',
      });
    else badges.push({ label: 'paused', tone: 'info', hint: 'paused; not stale yet' });
  }
  if (lane.starved)
    badges.push({
      label: 'starved',
      tone: 'bad',
      hint: 'stopped with work waiting while an endpoint is healthy',
      runbook: 'LaneguardLanesStarved',
    });
  if (lane.stalled)
    badges.push({
      label: `stalled ${formatAge(lane.stalled_sec ?? null)}`,
      tone: 'bad',
      hint: 'alive but not working: no heartbeat and no change in its work for stalled_after_sec',
      runbook: 'LaneguardLaneStalled',
    });
  if (lane.backoff_sec > 0)
    badges.push({
      label: `backoff ${formatAge(lane.backoff_sec)}`,
      tone: 'warn',
      hint: 'crash-loop backoff: no start until it runs out',
    });
  if (!lane.local)
    badges.push({
      label: 'not local',
      tone: 'muted',
      hint: 'not a local lane of this guard (no local endpoint URL, not local-only, or filtered out)',
    });
  return badges;
}

export function endpointBadge(endpoint: PageEndpoint): Badge {
  // Before the first probe round every endpoint reads as down; say what is actually known.
  if (endpoint.state === 'down' && endpoint.probed_at === null && endpoint.error === null)
    return { label: 'not probed yet', tone: 'muted', hint: 'no probe result yet' };
  switch (endpoint.state) {
    case 'up':
      return { label: 'up', tone: 'ok', hint: 'answers its probe' };
    case 'starting':
      return { label: 'starting', tone: 'warn', hint: 'answers but is still loading a model' };
    case 'disabled':
      return { label: 'disabled', tone: 'muted', hint: 'enabled: false in the fleet config' };
    default:
      return {
        label: 'down',
        tone: 'bad',
        hint: 'does not answer its probe',
        runbook: 'LaneguardEndpointDown',
      };
  }
}

const SKIP_TEXT: Record<string, string> = {
  endpoint_floor_not_met: 'too few healthy endpoints: no recovery this cycle',
  endpoint_unhealthy: 'none of its endpoints is healthy',
  manual_pause_active: 'manual pause, not stale yet',
  pause_held: 'pause held by an operator',
  pause_active: 'paused (not a manual pause)',
  no_runnable_work: 'no pending or queued work',
  backoff: 'crash-loop backoff running',
  capacity_full: 'its endpoint already runs max_parallel lanes',
  endpoint_saturated: 'its server reports requests waiting or no idle slot',
  circuit_open: 'recovery circuit open',
  start_limit_reached: 'start limit of this cycle reached',
  observe_only: 'mode alert: the schedule only observes',
  not_targeted: 'not the lane this cycle was for',
  restart_not_enabled: 'stalled; restart_stalled is off (a LaneguardLaneStalled alert restarts it)',
  restart_limit_reached: 'stalled; restart limit of this cycle reached',
};

/** Why the last cycle did not start a stopped lane, in words. */
export function skipText(reason: string): string {
  return SKIP_TEXT[reason] ?? reason.replace(/_/g, ' ');
}

/** Guard anomalies → the alert that fires on them (its runbook is served at `/runbooks/<Alert>`). */
const ANOMALY_ALERT: Record<string, { alert: string; text: string }> = {
  idle_while_endpoints_healthy: {
    alert: 'LaneguardFleetIdleWhileDemand',
    text: 'no local lane runs while endpoints are healthy and work is waiting',
  },
  persistent_idle_condition: {
    alert: 'LaneguardPersistentIdle',
    text: 'idle for idle_alert_threshold_cycles cycles or more',
  },
  endpoint_floor_not_met: {
    alert: 'LaneguardEndpointFloorNotMet',
    text: 'fewer healthy endpoints than minimum_healthy_endpoints: recovery is held',
  },
  self_healing_errors: { alert: 'LaneguardRecoveryFailing', text: 'recovery actions failed' },
  lane_crash_loop: {
    alert: 'LaneguardLaneCrashLoop',
    text: 'started, then died soon after, 3 times in a row',
  },
  start_failing: {
    alert: 'LaneguardRecoveryFailing',
    text: 'the start command failed 3 times in a row',
  },
  recovery_circuit_open: {
    alert: 'LaneguardCircuitOpen',
    text: 'too many failed actions: recovery paused',
  },
};

export function anomalyInfo(anomaly: string): { alert: string | null; text: string } {
  const known = ANOMALY_ALERT[anomaly];
  return known
    ? { alert: known.alert, text: known.text }
    : { alert: null, text: anomaly.replace(/_/g, ' ') };
}
