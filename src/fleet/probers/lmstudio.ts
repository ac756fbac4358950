import type { EndpointConfig } from '../../config/fleet-schema.js';
import {
  capabilities,
  capabilityFailure,
  capabilityInvalid,
  type Capabilities,
} from '../capabilities.js';
import { isMissingRoute, type HttpResult } from '../http.js';
import {
  baseResult,
  call,
  downResult,
  invalidResult,
  objectList,
  openAiBase,
  openAiModelIds,
  positiveInt,
  serverRoot,
  upResult,
  type ProbeContext,
  type ProbeResult,
} from '../prober.js';
import { readOpenAiCapabilities } from './openai.js';

// LM Studio: the OpenAI-compatible `/v1/models`, plus its native `/api/v0/models` (0.3.6 and later),
// which says which models are loaded, which are embedding models, and their context lengths.

interface NativeModel {
  id: string;
  type: string;
  loaded: boolean;
  context: number | null;
}

function nativeModels(res: HttpResult): NativeModel[] | null {
  if (!res.ok) return null;
  const data = objectList(res.json, 'data');
  if (data === null) return null;
  return data
    .filter((m) => typeof m.id === 'string')
    .map((m) => ({
      id: m.id as string,
      type: typeof m.type === 'string' ? m.type : 'llm',
      loaded: m.state === 'loaded',
      context: positiveInt(m.loaded_context_length) ?? positiveInt(m.max_context_length),
    }));
}

/** An empty LM Studio answers `/v1/models` with an empty list: up, but not ready. */
export async function probeLmStudio(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
): Promise<ProbeResult> {
  const result = baseResult(endpoint, 'lmstudio', ctx);
  const [res, native] = await Promise.all([
    call(endpoint, ctx, `${openAiBase(endpoint.base_url)}/models`),
    call(endpoint, ctx, `${serverRoot(endpoint.base_url)}/api/v0/models`),
  ]);
  if (!res.ok) return downResult(result, 'GET /v1/models', res, endpoint);
  const listed = openAiModelIds(res.json);
  if (listed === null)
    return invalidResult(result, 'GET /v1/models: answer has no "data" model list', res.latencyMs);
  const details = nativeModels(native);
  // Embedding models cannot take a lane's chat completions; the native API tells them apart.
  const embeddings = new Set(
    (details ?? []).filter((m) => m.type === 'embeddings').map((m) => m.id),
  );
  const models = listed.filter((id) => !embeddings.has(id));
  const loaded =
    details === null
      ? null
      : details.filter((m) => m.loaded && !embeddings.has(m.id)).map((m) => m.id);
  const hint =
    embeddings.size > 0
      ? 'only embedding models; load a chat model'
      : 'load a model in LM Studio or enable just-in-time loading';
  return upResult(result, models, loaded, res.latencyMs, hint);
}

export async function readLmStudioCapabilities(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
): Promise<Capabilities> {
  const native = await call(endpoint, ctx, `${serverRoot(endpoint.base_url)}/api/v0/models`);
  // LM Studio before 0.3.6 has no native API: the model list is all it tells. It answers the
  // route with HTTP 200 and `{"error":"Unexpected endpoint or method. (GET /api/v0/models)"}`.
  if (isMissingRoute(native)) return readOpenAiCapabilities(endpoint, ctx);
  if (!native.ok) return capabilityFailure('GET /api/v0/models', native, endpoint);
  const details = nativeModels(native);
  if (details === null)
    return capabilityInvalid('GET /api/v0/models: answer has no "data" model list');
  const chat = details.filter((m) => m.type !== 'embeddings');
  const contextTokens: Record<string, number> = {};
  for (const m of chat) if (m.context !== null) contextTokens[m.id] = m.context;
  return capabilities({
    models: chat.map((m) => m.id),
    loadedModels: chat.filter((m) => m.loaded).map((m) => m.id),
    contextTokens,
  });
}
