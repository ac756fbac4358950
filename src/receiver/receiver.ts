// The receiver's effects around the pure decisions: the lane list, the ledger file, history,
// metrics, and the coalesced cycle started after the answer.
import { EventThrottle } from '../history/throttle.js';
import { createLaneAdapter } from '../lanes/factory.js';
import type { GuardPort } from '../http/port.js';
import type { ReceiverWork } from '../core/receiver/actions.js';
import {
  cycleRequestFor,
  decideAlerts,
  needsKnownLanes,
  type AlertDecision,
  type ReceiverDecision,
} from '../core/receiver/decide.js';
import type { WebhookRejection } from './errors.js';
import { LedgerStore } from './ledger.js';
import type { WebhookPayload } from './payload.js';

/**
 * High-volume webhook traffic never floods the history: every rejection is counted, but at most one
 * `webhook_rejected` event per reason and minute is written (carrying how many were left out), and
 * alerts that change nothing (ignored, deduplicated, resolved) at most ALERT_NOISE_LIMIT per outcome,
 * reason and minute. Alerts that act are decisions and are always written.
 */
const NOISE_WINDOW_MS = 60_000;
const ALERT_NOISE_LIMIT = 30;

/** Longest alert-supplied text written to history (label values can be anything). */
const MAX_FIELD = 200;

function clip(value: string | null): string | null {
  return value !== null && value.length > MAX_FIELD ? `${value.slice(0, MAX_FIELD)}…` : value;
}

/** The ids of the lanes the fleet has now (read errors included: the lane exists). */
export async function knownLaneIds(service: GuardPort): Promise<Set<string>> {
  try {
    // Part of answering the request: the read never waits for requests in flight (its own included).
    const read = await createLaneAdapter(service.config).read(service.clock.now(), {
      foreground: true,
    });
    return new Set([...read.lanes.map((l) => l.id), ...read.errors.map((e) => e.id)]);
  } catch {
    // Lanes unreadable: no lane is known, so no recover_lane alert can act.
    return new Set();
  }
}

export class WebhookReceiver {
  private store: LedgerStore | null = null;
  private readonly rejections = new EventThrottle(NOISE_WINDOW_MS, 1);
  private readonly quietAlerts = new EventThrottle(NOISE_WINDOW_MS, ALERT_NOISE_LIMIT);

  constructor(
    private readonly service: GuardPort,
    /** How the lanes are listed (tests slow it down to widen the race window). */
    private readonly listLanes: (service: GuardPort) => Promise<Set<string>> = knownLaneIds,
  ) {}

  /** The ledger of the current config (reopened when a reload moves it). */
  private ledger(now: Date): LedgerStore {
    const file = this.service.config.paths.ledger;
    if (this.store?.file === file) return this.store;
    const { store, repair } = LedgerStore.open(file, now);
    if (repair)
      this.service.history.append('state_repaired', {
        file: repair.file,
        error: repair.error,
        moved_to: repair.movedTo,
      });
    this.store = store;
    return store;
  }

  /** A 4xx: counted always, recorded at most once per reason and minute. Nothing else. */
  rejected(r: WebhookRejection): void {
    const { metrics } = this.service;
    metrics.webhookRequests.inc({ code: String(r.status) });
    metrics.webhookRejections.inc({ reason: r.reason });
    const verdict = this.rejections.admit(r.reason, this.service.clock.now().getTime());
    if (!verdict.record)
      return void metrics.historyEventsSuppressed.inc({ type: 'webhook_rejected' });
    this.service.history.append('webhook_rejected', {
      reason: r.reason,
      code: r.code,
      status: r.status,
      message: r.message,
      suppressed: verdict.suppressed,
    });
  }

  /**
   * Decide a valid payload and record it: ledger keys first (so a duplicate arriving while the
   * recovery runs is deduplicated), then history and metrics. Everything from the lane read to the
   * ledger's memory update is synchronous, so concurrent requests can never both act on one key;
   * only the ledger file's write is waited for, off the event loop.
   */
  async accept(payload: WebhookPayload): Promise<ReceiverDecision> {
    const { guard } = this.service.config;
    const routes = guard.webhook.routes;
    const knownLanes = needsKnownLanes(payload.alerts, routes)
      ? await this.listLanes(this.service)
      : new Set<string>();
    const now = this.service.clock.now();
    const ledger = this.ledger(now);
    const decision = decideAlerts(payload.alerts, {
      mode: guard.mode,
      routes,
      instance: guard.webhook.instance,
      dedupeWindowSec: guard.webhook.dedupe_window_sec,
      knownLanes,
      ledger: ledger.snapshot(),
      now,
    });
    // In memory at once (the write is awaited below, after everything synchronous is recorded).
    const written =
      Object.keys(decision.record).length > 0
        ? ledger.record(decision.record, now, guard.webhook.dedupe_window_sec)
        : null;
    for (const alert of decision.alerts) this.recordAlert(alert);
    this.service.metrics.webhookRequests.inc({ code: '200' });
    // An acted alert is answered once its key is on disk (a restart still deduplicates it).
    try {
      await written;
    } catch (err) {
      // Kept in memory: duplicates are still absorbed until a restart.
      this.service.history.append('webhook_ledger_write_failed', {
        file: ledger.file,
        error: (err as Error).message,
      });
    }
    return decision;
  }

  private recordAlert(d: AlertDecision): void {
    this.service.metrics.webhookAlerts.inc({ outcome: d.outcome });
    let suppressed = 0;
    if (d.outcome !== 'acted') {
      const verdict = this.quietAlerts.admit(
        `${d.outcome}:${d.reason ?? ''}`,
        this.service.clock.now().getTime(),
      );
      if (!verdict.record)
        return void this.service.metrics.historyEventsSuppressed.inc({ type: 'alert_received' });
      suppressed = verdict.suppressed;
    }
    this.service.history.append('alert_received', {
      alertname: clip(d.alertname),
      fingerprint: d.fingerprint,
      status: d.status,
      starts_at: d.starts_at,
      action: d.action,
      lane: d.lane,
      outcome: d.outcome,
      reason: d.reason,
      ...(suppressed > 0 ? { suppressed } : {}),
    });
  }

  /** Start the work after the answer: one coalesced cycle (it re-reads live state), and ensure. */
  dispatch(work: ReceiverWork): void {
    const request = cycleRequestFor(work);
    if (request) {
      // Failures are logged and counted by the cycle runner; the alert was already answered.
      this.service.cycle(request).catch(() => undefined);
    }
    if (work.ensure) {
      this.service.ensure('alert').catch((err: unknown) => {
        this.service.history.append('ensure_skipped', {
          trigger: 'alert',
          reason: 'error',
          error: (err as Error).message,
        });
      });
    }
  }
}
