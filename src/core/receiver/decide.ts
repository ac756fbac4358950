// The receiver's decisions: payload + ledger + config + known lanes + now → one decision per alert
// and the work to do. Pure, no I/O: the route and `laneguard replay` share it.
import { isValidLaneId } from '../../config/lanes-schema.js';
import type { Mode } from '../../domain/types.js';
import { ledgerKey, withinWindow, type LedgerEntries, type LedgerEntry } from './ledger-rules.js';
import { matchAction, sameInstance, type WebhookAction, type WebhookRoute } from './match.js';
import { ACTION_SPECS, emptyWork, finishWork, type ReceiverWork } from './actions.js';
import type { WebhookAlert } from '../../receiver/payload.js';

export type AlertOutcome = 'acted' | 'deduplicated' | 'ignored' | 'resolved';

/** Why an alert did not act, in gate order. */
export const ALERT_REASONS = [
  'other_instance',
  'resolved',
  'unknown_action',
  'no_action',
  'action_none',
  'missing_lane',
  'invalid_lane',
  'unknown_lane',
  'mode_autonomous',
  'duplicate',
] as const;
export type AlertReason = (typeof ALERT_REASONS)[number];

export interface AlertDecision {
  alertname: string | null;
  fingerprint: string;
  status: 'firing' | 'resolved';
  starts_at: string;
  /** The catalogue action the alert asks for, when it names one. */
  action: WebhookAction | null;
  /** The alert's `lane` label, only when it is a valid lane id. */
  lane: string | null;
  outcome: AlertOutcome;
  /** Why it did not act (null when acted). */
  reason: AlertReason | null;
}

export interface ReceiverContext {
  mode: Mode;
  routes: readonly WebhookRoute[];
  /** `webhook.instance`: alerts naming another host are ignored. */
  instance?: string | undefined;
  dedupeWindowSec: number;
  /** Ids of the lanes the fleet has now. */
  knownLanes: ReadonlySet<string>;
  ledger: LedgerEntries;
  now: Date;
}

export interface ReceiverDecision {
  alerts: AlertDecision[];
  counts: { accepted: number; deduplicated: number; ignored: number; resolved: number };
  /** Keys to record in the ledger as acted now (before any work starts). */
  record: Record<string, LedgerEntry>;
  work: ReceiverWork;
}

/** Whether the action names one lane by the alert's `lane` label. */
const targetsLane = (action: WebhookAction | null): boolean =>
  action !== null && ACTION_SPECS[action].targetsLane;

/** The lane a `recover_lane` or `restart_lane` alert targets, or why it cannot be targeted. */
function targetLane(
  labels: Readonly<Record<string, string>>,
  known: ReadonlySet<string>,
): { lane: string } | { reason: 'missing_lane' | 'invalid_lane' | 'unknown_lane' } {
  const lane = labels.lane;
  if (lane === undefined || lane === '') return { reason: 'missing_lane' };
  if (!isValidLaneId(lane)) return { reason: 'invalid_lane' };
  return known.has(lane) ? { lane } : { reason: 'unknown_lane' };
}

/** Whether deciding this payload needs the fleet's lane list (a firing `recover_lane` with a valid lane). */
export function needsKnownLanes(
  alerts: readonly WebhookAlert[],
  routes: readonly WebhookRoute[],
): boolean {
  return alerts.some(
    (a) =>
      a.status === 'firing' &&
      isValidLaneId(a.labels.lane) &&
      targetsLane(matchAction(a.labels, routes).action),
  );
}

function decideOne(
  alert: WebhookAlert,
  ctx: ReceiverContext,
  record: Record<string, LedgerEntry>,
): AlertDecision {
  const match = matchAction(alert.labels, ctx.routes);
  const lane = isValidLaneId(alert.labels.lane) ? alert.labels.lane : null;
  const base = {
    alertname: alert.labels.alertname ?? null,
    fingerprint: alert.fingerprint,
    status: alert.status,
    starts_at: alert.startsAt,
    action: match.action,
    lane,
  };
  const done = (outcome: AlertOutcome, reason: AlertReason | null): AlertDecision => ({
    ...base,
    outcome,
    reason,
  });

  const instance = alert.labels.instance;
  if (
    ctx.instance &&
    instance !== undefined &&
    instance !== '' &&
    !sameInstance(instance, ctx.instance)
  )
    return done('ignored', 'other_instance');
  if (alert.status === 'resolved') return done('resolved', 'resolved');
  if (match.action === null) return done('ignored', match.reason);
  if (match.action === 'none') return done('ignored', 'action_none');
  if (targetsLane(match.action)) {
    const target = targetLane(alert.labels, ctx.knownLanes);
    if ('reason' in target) return done('ignored', target.reason);
  }
  if (ctx.mode === 'autonomous') return done('ignored', 'mode_autonomous');
  const key = ledgerKey(alert.fingerprint, alert.startsAt);
  if (record[key] || withinWindow(ctx.ledger[key], ctx.now, ctx.dedupeWindowSec))
    return done('deduplicated', 'duplicate');
  record[key] = {
    fingerprint: alert.fingerprint,
    starts_at: alert.startsAt,
    alertname: base.alertname,
    acted_at: ctx.now.toISOString(),
  };
  return done('acted', null);
}

/**
 * Gates, in order: another host's alert → ignored; resolved → recorded only; no catalogue action,
 * `none`, or a `recover_lane` without a valid known lane → ignored; mode `autonomous` → ignored;
 * a key acted on within the window (or earlier in this payload) → deduplicated; else acted.
 */
export function decideAlerts(
  alerts: readonly WebhookAlert[],
  ctx: ReceiverContext,
): ReceiverDecision {
  const record: Record<string, LedgerEntry> = {};
  const decisions = alerts.map((alert) => decideOne(alert, ctx, record));
  const counts = { accepted: 0, deduplicated: 0, ignored: 0, resolved: 0 };
  const work = emptyWork();
  for (const d of decisions) {
    if (d.outcome === 'acted') counts.accepted++;
    else counts[d.outcome]++;
    if (d.outcome === 'acted' && d.action) ACTION_SPECS[d.action].addWork(work, d.lane);
  }
  return { alerts: decisions, counts, record, work: finishWork(work) };
}

export interface AlertCycleRequest {
  trigger: 'alert';
  onlyLanes: string[] | null;
  /** Stalled lanes the alerts asked to restart. */
  restartLanes: string[];
}

/**
 * The one cycle a payload triggers: limited to the lanes its `recover_lane` and `restart_lane`
 * alerts name, or a full cycle when any alert asks to `recover`. Null when no cycle is needed.
 */
export function cycleRequestFor(work: ReceiverWork): AlertCycleRequest | null {
  const restartLanes = [...work.restartLanes];
  if (work.recover) return { trigger: 'alert', onlyLanes: null, restartLanes };
  const named = [...new Set([...work.lanes, ...work.restartLanes])].sort();
  if (named.length > 0) return { trigger: 'alert', onlyLanes: named, restartLanes };
  return null;
}
