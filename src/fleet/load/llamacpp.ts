import type { EndpointConfig } from '../../config/fleet-schema.js';
import { call, serverRoot, type ProbeContext } from '../prober.js';
import { countOf, sampleSum } from './prom-text.js';
import { loadOrNull, type ServerLoad } from './types.js';

// llama.cpp's llama-server (tools/server/server.cpp): `GET /slots` lists each slot with
// `is_processing` (501 "This server does not support slots endpoint" when started with
// `--no-slots`); `GET /metrics` (only with `--metrics`, else 501) has `llamacpp:requests_processing`
// and `llamacpp:requests_deferred`. Both are asked at once; either may be missing.

function slotStates(json: unknown): { busy: number; idle: number } | null {
  if (!Array.isArray(json) || json.length === 0) return null;
  const flags = json.map((slot) => (slot as { is_processing?: unknown } | null)?.is_processing);
  if (!flags.every((f) => typeof f === 'boolean')) return null;
  const busy = flags.filter(Boolean).length;
  return { busy, idle: flags.length - busy };
}

export async function readLlamaCppLoad(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
): Promise<ServerLoad | null> {
  const root = serverRoot(endpoint.base_url);
  const [slotsRes, metricsRes] = await Promise.all([
    call(endpoint, ctx, `${root}/slots`),
    call(endpoint, ctx, `${root}/metrics`, {
      expect: 'any',
      headers: { ...endpoint.headers, accept: 'text/plain' },
    }),
  ]);
  const slots = slotsRes.ok ? slotStates(slotsRes.json) : null;
  const metrics = metricsRes.ok ? metricsRes.text : '';
  const processing = countOf(sampleSum(metrics, 'llamacpp:requests_processing'));
  const sources = [slots ? 'GET /slots' : null, metricsRes.ok ? 'GET /metrics' : null].filter(
    Boolean,
  );
  return loadOrNull({
    running: processing ?? slots?.busy ?? null,
    waiting: countOf(sampleSum(metrics, 'llamacpp:requests_deferred')),
    slots,
    source: sources.join(' + '),
  });
}
