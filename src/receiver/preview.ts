// What the receiver would do with a recorded payload, and what the cycle it triggers would plan —
// computed from files as they are now, changing nothing (`laneguard replay`).
import type { LoadedConfig } from '../config/load.js';
import type { GuardState } from '../domain/types.js';
import { buildEndpointViews } from '../core/fleet/view.js';
import { readFleetStatus } from '../fleet/status-file.js';
import { ensureBlocked } from '../core/guard/ensure-gate.js';
import { observe } from '../core/guard/observe.js';
import { decide, type Plan } from '../core/guard/policy.js';
import { peekGuardState } from '../guard/state-store.js';
import { createLaneAdapter } from '../lanes/factory.js';
import {
  cycleRequestFor,
  decideAlerts,
  needsKnownLanes,
  type AlertCycleRequest,
  type ReceiverDecision,
} from '../core/receiver/decide.js';
import { readLedgerFile } from './ledger.js';
import type { WebhookPayload } from './payload.js';

export interface ReplayResult {
  decision: ReceiverDecision;
  cycle: AlertCycleRequest | null;
  /** Problems reading state, said out loud (a corrupt ledger the receiver would move aside). */
  notes: string[];
}

export async function replayPayload(
  config: LoadedConfig,
  payload: WebhookPayload,
  now: Date,
): Promise<ReplayResult> {
  const { guard, paths } = config;
  const notes: string[] = [];
  const ledger = readLedgerFile(paths.ledger);
  if (ledger.status === 'corrupt')
    notes.push(
      `ledger ${paths.ledger} is unreadable (${ledger.error}): treated as empty, as the receiver would after moving it aside`,
    );
  let knownLanes = new Set<string>();
  if (needsKnownLanes(payload.alerts, guard.webhook.routes)) {
    const read = await createLaneAdapter(config).read(now);
    knownLanes = new Set([...read.lanes.map((l) => l.id), ...read.errors.map((e) => e.id)]);
  }
  const decision = decideAlerts(payload.alerts, {
    mode: guard.mode,
    routes: guard.webhook.routes,
    instance: guard.webhook.instance,
    dedupeWindowSec: guard.webhook.dedupe_window_sec,
    knownLanes,
    ledger: ledger.entries,
    now,
  });
  return { decision, cycle: cycleRequestFor(decision.work), notes };
}

export interface CyclePreview {
  plan: Plan;
  /** When the endpoint health used was probed (null: never; every endpoint counts as unhealthy). */
  probedAt: string | null;
  ensure: { would_run: boolean; reason: string | null };
}

/**
 * Plan the cycle an alert would trigger: lanes read now, endpoint health from the last probe (no
 * probe is made), the stored guard state. The live cycle re-reads everything and may differ.
 */
export async function previewCycle(
  config: LoadedConfig,
  request: { onlyLanes: readonly string[] | null; restartLanes?: readonly string[] | null },
  now: Date,
): Promise<CyclePreview> {
  const { guard, paths } = config;
  const status = readFleetStatus(paths.fleetStatus);
  const endpoints = buildEndpointViews(config.endpoints, status);
  const read = await createLaneAdapter(config).read(now);
  const stored = peekGuardState(paths.state, now);
  const observed = observe(stored, read, now, guard);
  const plan = decide({
    lanes: read.lanes,
    endpoints,
    state: observed.state,
    config: guard,
    now,
    trigger: 'alert',
    onlyLanes: request.onlyLanes,
    stalls: observed.stalls,
    restartLanes: request.restartLanes ?? null,
  });
  return {
    plan,
    probedAt: status?.probe?.timestamp ?? null,
    ensure: previewEnsure(config, plan.healthyEndpointKeys.length, stored, now),
  };
}

/** Whether the webhook's `ensure` would run now: the gates the daemon applies (`ensureBlocked`). */
export function previewEnsure(
  config: LoadedConfig,
  healthyEndpoints: number,
  state: GuardState,
  now: Date,
): { would_run: boolean; reason: string | null } {
  const reason = ensureBlocked({
    healthyEndpoints,
    minimumHealthy: config.guard.minimum_healthy_endpoints,
    circuit: state.circuit,
    dryRun: config.guard.dry_run,
    now,
  });
  return { would_run: reason === null, reason };
}

/** Ensure preview without a cycle: the floor from the last probe results. */
export function previewEnsureOnly(
  config: LoadedConfig,
  now: Date,
): { would_run: boolean; reason: string | null } {
  const endpoints = buildEndpointViews(config.endpoints, readFleetStatus(config.paths.fleetStatus));
  const healthy = endpoints.filter((e) => e.enabled && e.healthy).length;
  return previewEnsure(config, healthy, peekGuardState(config.paths.state, now), now);
}
