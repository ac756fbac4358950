import type { LoadedConfig } from '../config/load.js';
import type { EndpointView, Trigger } from '../domain/types.js';
import type { FleetStatus } from '../fleet/status-file.js';
import type { CycleRequest, CycleResult } from '../guard/cycle.js';
import type { EnsureResult } from '../guard/ensure.js';
import type { HistoryStore } from '../history/store.js';
import type { Metrics } from '../metrics/registry.js';
import type { Clock } from '../util/clock.js';
import type { Credentials } from './auth.js';

/**
 * What the HTTP routes and the webhook receiver need from the daemon, and no more. `serve`'s
 * GuardService implements it; route tests hand in a small stub instead of a whole fleet.
 */
export interface GuardPort {
  readonly config: LoadedConfig;
  readonly credentials: Credentials;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly startedAt: Date;
  /** A cycle has finished since start-up. */
  readonly ready: boolean;
  readonly lastResult: CycleResult | null;
  readonly lastCycleError: string | null;
  readonly fleetStatus: FleetStatus | null;
  readonly runner: { readonly busy: boolean };
  readonly history: Pick<HistoryStore, 'append'>;
  endpointViews(): EndpointView[];
  /** Trigger a cycle; concurrent triggers coalesce into one follow-up cycle. */
  cycle(request: CycleRequest): Promise<CycleResult>;
  /** The fleet's ensure command once, outside a cycle, behind its gates. */
  ensure(trigger: Trigger): Promise<EnsureResult>;
  /** Re-read the config; an invalid one keeps the running config. */
  reload(source: string): { ok: boolean; error?: string };
}
