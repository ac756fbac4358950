import type { EndpointConfig } from '../../config/fleet-schema.js';
import {
  capabilities,
  capabilityFailure,
  capabilityInvalid,
  type Capabilities,
} from '../capabilities.js';
import {
  baseResult,
  call,
  downResult,
  invalidResult,
  objectList,
  openAiBase,
  positiveInt,
  serverRoot,
  upResult,
  type ProbeContext,
  type ProbeResult,
} from '../prober.js';

// vLLM: `GET /health` (200, empty body, while the engine is alive) and `GET /v1/models`, whose
// entries carry `max_model_len`. vLLM only lists the models it serves, so listed = loaded.

export async function probeVllm(endpoint: EndpointConfig, ctx: ProbeContext): Promise<ProbeResult> {
  const result = baseResult(endpoint, 'vllm', ctx);
  const [health, list] = await Promise.all([
    call(endpoint, ctx, `${serverRoot(endpoint.base_url)}/health`, { expect: 'any' }),
    call(endpoint, ctx, `${openAiBase(endpoint.base_url)}/models`),
  ]);
  if (!health.ok) return downResult(result, 'GET /health', health, endpoint);
  if (!list.ok) return downResult(result, 'GET /v1/models', list, endpoint);
  const data = objectList(list.json, 'data');
  if (data === null)
    return invalidResult(result, 'GET /v1/models: answer has no "data" model list', list.latencyMs);
  const models = data.map((m) => m.id).filter((id): id is string => typeof id === 'string');
  return upResult(result, models, models, health.latencyMs, 'the server lists no model');
}

export async function readVllmCapabilities(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
): Promise<Capabilities> {
  const res = await call(endpoint, ctx, `${openAiBase(endpoint.base_url)}/models`);
  if (!res.ok) return capabilityFailure('GET /v1/models', res, endpoint);
  const data = objectList(res.json, 'data');
  if (data === null) return capabilityInvalid('GET /v1/models: answer has no "data" model list');
  const contextTokens: Record<string, number> = {};
  const models: string[] = [];
  for (const m of data) {
    if (typeof m.id !== 'string') continue;
    models.push(m.id);
    const context = positiveInt(m.max_model_len);
    if (context !== null) contextTokens[m.id] = context;
  }
  return capabilities({ models, loadedModels: models, contextTokens });
}
