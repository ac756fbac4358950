import type { EndpointConfig } from '../../config/fleet-schema.js';
import { baseResult, openAiBase, openAiModelIds, requestInit, type ProbeContext, type ProbeResult } from '../prober.js';

/** OpenAI-compatible: `GET {base_url}/models`; up on a valid model list, ready when it is not empty. */
export async function probeOpenAi(endpoint: EndpointConfig, ctx: ProbeContext, kind: 'openai' | 'lmstudio' = 'openai'): Promise<ProbeResult> {
  const result = baseResult(endpoint, kind, ctx);
  const res = await ctx.http.request(`${openAiBase(endpoint.base_url)}/models`, requestInit(endpoint));
  result.latencyMs = res.latencyMs;
  if (!res.ok) return { ...result, errorClass: res.errorClass, reason: res.reason };
  const models = openAiModelIds(res.json);
  if (models === null) return { ...result, errorClass: 'invalid_response', reason: 'no "data" model list in /models answer' };
  result.up = true;
  result.state = 'up';
  result.models = models;
  if (models.length === 0) return { ...result, errorClass: 'no_models', reason: 'up, but no model available' };
  return { ...result, ready: true, reason: `${models.length} model(s)` };
}
