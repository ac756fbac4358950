import type { EndpointConfig } from '../../config/fleet-schema.js';
import { call, serverRoot, type ProbeContext } from '../prober.js';
import { countOf, sampleSum } from './prom-text.js';
import { loadOrNull, type ServerLoad } from './types.js';

// vLLM exports `vllm:num_requests_running` and `vllm:num_requests_waiting` on `GET /metrics`
// (vllm/v1/metrics/loggers.py), one sample per model and engine: summed per server.

export async function readVllmLoad(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
): Promise<ServerLoad | null> {
  const res = await call(endpoint, ctx, `${serverRoot(endpoint.base_url)}/metrics`, {
    expect: 'any',
    headers: { ...endpoint.headers, accept: 'text/plain' },
  });
  if (!res.ok) return null;
  return loadOrNull({
    running: countOf(sampleSum(res.text, 'vllm:num_requests_running')),
    waiting: countOf(sampleSum(res.text, 'vllm:num_requests_waiting')),
    slots: null,
    source: 'GET /metrics',
  });
}
