import type { EndpointConfig } from '../config/fleet-schema.js';
import { tinyCompletion } from './completion.js';
import { baseResult, type ProbeContext, type ProbeResult } from './prober.js';
import { readLoad } from './load/index.js';
import { describeLoad } from './load/types.js';
import { PROBERS } from './probers/index.js';

export interface ProbeOptions {
  /** Run the endpoint's opt-in canary when it has one (default true; the heartbeat turns it off). */
  canary?: boolean;
}

/**
 * Probe one endpoint with the prober of its kind. Never throws. A configured canary (`canary:
 * {model}`) then sends one `max_tokens: 1` completion to a ready endpoint: its tokens are counted
 * in `tokens`, and when it fails the endpoint stays up but is not ready.
 */
export async function probeEndpoint(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  if (!endpoint.enabled) {
    return {
      ...baseResult(endpoint, endpoint.kind, ctx),
      state: 'disabled',
      reason: 'disabled in config',
    };
  }
  let result: ProbeResult;
  // The load read rides on the probe: asked at the same time when the kind is known (one timeout
  // for both), after it when `auto` has to detect the kind first.
  const knownKind = endpoint.kind === 'auto' ? ctx.detectedKind : endpoint.kind;
  const early = knownKind && knownKind !== 'auto' ? readLoad(endpoint, knownKind, ctx) : null;
  try {
    result = await PROBERS[endpoint.kind](endpoint, ctx);
  } catch (err) {
    // A prober bug must not take the round down; it is reported like any failed probe.
    return {
      ...baseResult(endpoint, endpoint.kind, ctx),
      errorClass: 'invalid_response',
      reason: `probe failed: ${(err as Error).message}`,
    };
  }
  // A load is only believed from a server that is up as the kind it was read as.
  if (result.state === 'up') {
    const load =
      early && result.kind === knownKind ? await early : await readLoad(endpoint, result.kind, ctx);
    result = {
      ...result,
      load,
      reason: load ? `${result.reason}; ${describeLoad(load)}` : result.reason,
    };
  } else if (early) await early;
  if (options.canary === false || !endpoint.canary || !result.ready) return result;
  const canary = await tinyCompletion(endpoint, endpoint.canary.model, ctx);
  if (canary.ok)
    return {
      ...result,
      tokens: canary.tokens,
      reason: `${result.reason}; canary ${canary.model}: ${canary.tokens} tokens`,
    };
  return {
    ...result,
    ready: false,
    tokens: canary.tokens,
    errorClass: canary.errorClass,
    reason: `canary ${canary.model} failed: ${canary.reason}`,
  };
}
