import type { ProbeResult } from './prober.js';

// Warm-up grace (`warmup_grace_sec`): a model server that is starting refuses connections or times
// out for a while; inside the grace it is reported `starting`, not `down`. Health is untouched:
// decisions still need a ready endpoint.
//
// The grace runs from the start of the current not-ready streak: the first probe laneguard ever made
// of the endpoint, or the first probe that failed after one that was ready (a restart). A server
// that never becomes ready is `down` once the grace has passed; one that serves again and then
// stops gets a fresh grace.

/** What the previous probe record remembers (the original file has `ok` but no `ready`). */
export interface WarmupMemory {
  ready?: boolean;
  ok?: boolean;
  not_ready_since?: string | null;
}

/** Start of the current not-ready streak, or null while the endpoint is ready. Pure. */
export function notReadySince(
  prev: WarmupMemory | undefined,
  ready: boolean,
  at: string,
): string | null {
  if (ready) return null;
  if (!prev) return at;
  if (prev.ready ?? prev.ok ?? false) return at;
  return prev.not_ready_since ?? at;
}

/** A `down` result inside the grace becomes `starting`. Pure. */
export function applyWarmupGrace(
  result: ProbeResult,
  since: string | null,
  graceSec: number,
  now: Date,
): ProbeResult {
  if (graceSec <= 0 || result.state !== 'down' || since === null) return result;
  const leftMs = graceSec * 1000 - (now.getTime() - Date.parse(since));
  if (!(leftMs > 0)) return result;
  return {
    ...result,
    state: 'starting',
    reason: `${result.reason} (warm-up grace: ${Math.ceil(leftMs / 1000)}s left)`,
  };
}
