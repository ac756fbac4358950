import type { EndpointConfig } from '../config/fleet-schema.js';
import { IntervalScheduler } from '../util/scheduler.js';
import { tinyCompletion, type CompletionOutcome } from '../fleet/completion.js';
import type { HttpClient } from '../fleet/http.js';
import { probeEndpoint } from '../fleet/probe-endpoint.js';
import { mapConcurrent } from '../util/concurrent.js';
import type { HistoryStore } from '../history/store.js';
import type { Clock } from '../util/clock.js';
import {
  observeHeartbeat,
  readHeartbeatState,
  writeHeartbeatState,
  type HeartbeatChange,
  type HeartbeatEntry,
  type HeartbeatState,
} from './state.js';

// Keep-warm and liveness for `heartbeat: true` endpoints (a remote LM Studio that unloads idle
// models, say): a cheap probe of the endpoint's kind and, with `keep_warm: {model}`, one
// `max_tokens: 1` completion on that model so it stays loaded.

export const DEFAULT_HEARTBEAT_INTERVAL_SEC = 10;

export interface HeartbeatOptions {
  endpoints: readonly EndpointConfig[];
  stateFile: string;
  http: HttpClient;
  clock: Clock;
  /** `heartbeat_changed` events go here, on changes only. */
  history?: HistoryStore;
  concurrency?: number;
}

export interface HeartbeatRound {
  state: HeartbeatState;
  /** One entry per heartbeat endpoint, in config order. */
  entries: HeartbeatEntry[];
  changes: HeartbeatChange[];
}

export function heartbeatEndpoints(endpoints: readonly EndpointConfig[]): EndpointConfig[] {
  return endpoints.filter((e) => e.heartbeat && e.enabled);
}

/** One heartbeat of every enabled `heartbeat: true` endpoint; writes heartbeat_state.json. */
export async function heartbeatRound(options: HeartbeatOptions): Promise<HeartbeatRound> {
  const previous = readHeartbeatState(options.stateFile);
  const targets = heartbeatEndpoints(options.endpoints);
  const observed = await mapConcurrent(targets, options.concurrency ?? 16, async (endpoint) => {
    const prev = previous.endpoints[endpoint.id];
    const ctx = {
      http: options.http,
      now: () => options.clock.now(),
      detectedKind: endpoint.kind === 'auto' ? prev?.kind : undefined,
    };
    const probe = await probeEndpoint(endpoint, ctx, { canary: false });
    // Keep-warm runs whenever the server answers: with just-in-time loading it loads the model.
    const keepWarm: CompletionOutcome | null =
      endpoint.keep_warm && probe.up
        ? await tinyCompletion(endpoint, endpoint.keep_warm.model, ctx)
        : null;
    return observeHeartbeat(
      prev,
      probe,
      endpoint.keep_warm ? (keepWarm ?? notAttempted(endpoint.keep_warm.model)) : null,
      options.clock.now().toISOString(),
    );
  });
  const at = options.clock.now().toISOString();
  const state: HeartbeatState = {
    version: 1,
    updated_at: at,
    endpoints: Object.fromEntries(observed.map((o) => [o.entry.endpoint, o.entry])),
  };
  writeHeartbeatState(options.stateFile, state);
  const changes = observed.map((o) => o.change).filter((c): c is HeartbeatChange => c !== null);
  for (const change of changes) options.history?.append('heartbeat_changed', { ...change });
  return { state, entries: observed.map((o) => o.entry), changes };
}

function notAttempted(model: string): CompletionOutcome {
  return {
    model,
    ok: false,
    tokens: 0,
    latencyMs: 0,
    errorClass: null,
    reason: 'not sent: the server did not answer',
  };
}

export interface RunHeartbeatOptions extends HeartbeatOptions {
  intervalSec: number;
  /** Abort to stop: the round in flight finishes (bounded by the timeouts), then the loop returns. */
  signal: AbortSignal;
  onRound?: (round: HeartbeatRound) => void;
  /** Real milliseconds between looks at the clock (the scheduler's tick; tests make it short). */
  tickMs?: number;
  onError?: (error: Error) => void;
}

/** Heartbeat every `intervalSec` (start to start) until `signal` aborts. Returns the rounds run. */
export async function runHeartbeat(options: RunHeartbeatOptions): Promise<number> {
  let rounds = 0;
  const scheduler = new IntervalScheduler(options.clock, (_job, err) => options.onError?.(err), {
    tickMs: options.tickMs,
  });
  scheduler.add({
    name: 'heartbeat',
    intervalSec: () => options.intervalSec,
    run: async () => {
      if (options.signal.aborted) return;
      const round = await heartbeatRound(options);
      rounds++;
      options.onRound?.(round);
    },
  });
  await scheduler.runUntil(options.signal);
  return rounds;
}
