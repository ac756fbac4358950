import type { EndpointConfig } from '../../config/fleet-schema.js';
import {
  capabilities,
  capabilityFailure,
  capabilityInvalid,
  type Capabilities,
} from '../capabilities.js';
import { llamaCppModelList } from './llamacpp.js';
import {
  baseResult,
  call,
  downResult,
  invalidResult,
  openAiBase,
  openAiModelIds,
  upResult,
  type ProbeContext,
  type ProbeResult,
} from '../prober.js';

// Any OpenAI-compatible server: `GET {base_url}/models` is all it is sure to have.

/** Up on a valid model list, ready when it is not empty. */
export async function probeOpenAi(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
): Promise<ProbeResult> {
  const result = baseResult(endpoint, 'openai', ctx);
  const res = await call(endpoint, ctx, `${openAiBase(endpoint.base_url)}/models`);
  if (!res.ok) return downResult(result, 'GET /v1/models', res, endpoint);
  const models = openAiModelIds(res.json);
  if (models === null)
    return invalidResult(result, 'GET /v1/models: answer has no "data" model list', res.latencyMs);
  if (llamaCppModelList(res.json)?.loading) {
    return {
      ...result,
      state: 'starting',
      latencyMs: res.latencyMs,
      models,
      errorClass: 'no_models',
      reason: 'loading the model (GET /v1/models lists it with "meta": null)',
    };
  }
  return upResult(result, models, null, res.latencyMs, 'the server lists no model');
}

/** The model list only: a generic OpenAI server tells neither context length nor slots. */
export async function readOpenAiCapabilities(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
): Promise<Capabilities> {
  const res = await call(endpoint, ctx, `${openAiBase(endpoint.base_url)}/models`);
  if (!res.ok) return capabilityFailure('GET /v1/models', res, endpoint);
  const models = openAiModelIds(res.json);
  if (models === null) return capabilityInvalid('GET /v1/models: answer has no "data" model list');
  return capabilities({ models, loadedModels: null });
}
