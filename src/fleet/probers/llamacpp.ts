import type { EndpointConfig } from '../../config/fleet-schema.js';
import {
  capabilities,
  capabilityFailure,
  capabilityInvalid,
  type Capabilities,
} from '../capabilities.js';
import type { HttpResult } from '../http.js';
import {
  authResult,
  baseResult,
  call,
  downResult,
  openAiBase,
  openAiModelIds,
  positiveInt,
  serverRoot,
  upResult,
  type ProbeContext,
  type ProbeResult,
} from '../prober.js';

// llama.cpp's llama-server: `GET /health` (200 ok; 503 "Loading model" while the model loads),
// `GET /props` (model path, `total_slots`, `default_generation_settings.n_ctx`). One model per server.
// Started with `--api-key`, it answers 401 `{"error":{"code":401,"message":"Invalid API Key",
// "type":"authentication_error"}}` on every route but its public ones: `/health`, `/v1/health`,
// `/models`, `/v1/models` (and `/api/tags` in 2025 builds) — tools/server/server.cpp
// `middleware_validate_api_key`.

/** A 503 saying "Loading model" (older builds: `{"status": "loading model"}`): starting, not down. */
export function isLoadingAnswer(res: HttpResult): boolean {
  return !res.ok && res.status === 503 && /loading model/i.test(res.text ?? '');
}

/**
 * llama.cpp's model list (`owned_by: "llamacpp"`). While the model loads, 2025 builds let
 * `/models`, `/v1/models` and `/api/tags` through and list the model with `meta: null`
 * (tools/server/server.cpp `middleware_server_state`, "allow the models endpoint to be accessed
 * during loading"): the list alone does not mean the model is ready.
 */
export function llamaCppModelList(json: unknown): { loading: boolean } | null {
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length === 0) return null;
  const entries = data.filter(
    (m): m is Record<string, unknown> => typeof m === 'object' && m !== null,
  );
  if (!entries.some((m) => m.owned_by === 'llamacpp')) return null;
  return { loading: entries.every((m) => 'meta' in m && m.meta === null) };
}

interface Props {
  model: string | null;
  slots: number | null;
  context: number | null;
}

function readProps(json: unknown): Props | null {
  if (!json || typeof json !== 'object') return null;
  const props = json as Record<string, unknown>;
  const settings = props.default_generation_settings as Record<string, unknown> | undefined;
  const alias =
    typeof props.model_alias === 'string' && props.model_alias !== '' ? props.model_alias : null;
  const path =
    typeof props.model_path === 'string' && props.model_path !== '' ? props.model_path : null;
  return {
    model: alias ?? (path ? (path.split(/[\\/]/).pop() ?? path) : null),
    slots: positiveInt(props.total_slots),
    // Per-slot context: llama-server splits n_ctx between its slots.
    context: positiveInt(settings?.n_ctx) ?? positiveInt(props.n_ctx),
  };
}

/** The model id: from `/props`, else from `/v1/models`. */
async function modelIds(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
  props: Props | null,
): Promise<string[]> {
  if (props?.model) return [props.model];
  const res = await call(endpoint, ctx, `${openAiBase(endpoint.base_url)}/models`);
  return res.ok ? (openAiModelIds(res.json) ?? []) : [];
}

export async function probeLlamaCpp(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
): Promise<ProbeResult> {
  const result = baseResult(endpoint, 'llamacpp', ctx);
  const root = serverRoot(endpoint.base_url);
  const health = await call(endpoint, ctx, `${root}/health`);
  if (isLoadingAnswer(health)) {
    return {
      ...result,
      state: 'starting',
      latencyMs: health.latencyMs,
      errorClass: 'http_error',
      reason: 'loading the model (GET /health: HTTP 503 "Loading model")',
    };
  }
  if (!health.ok) return downResult(result, 'GET /health', health, endpoint);
  const propsRes = await call(endpoint, ctx, `${root}/props`);
  const props = propsRes.ok ? readProps(propsRes.json) : null;
  const models = await modelIds(endpoint, ctx, props);
  if (!propsRes.ok && propsRes.errorClass === 'auth_required')
    return authResult({ ...result, models }, 'GET /props', propsRes, endpoint);
  // A llama-server answering /health has its model loaded: listed = loaded.
  return upResult(
    result,
    models,
    models,
    health.latencyMs,
    'neither /props nor /v1/models names a model',
  );
}

export async function readLlamaCppCapabilities(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
): Promise<Capabilities> {
  const res = await call(endpoint, ctx, `${serverRoot(endpoint.base_url)}/props`);
  if (isLoadingAnswer(res))
    return {
      ...capabilityInvalid('loading the model (GET /props: HTTP 503)'),
      errorClass: 'http_error',
    };
  if (!res.ok) return capabilityFailure('GET /props', res, endpoint);
  const props = readProps(res.json);
  if (props === null) return capabilityInvalid('GET /props: answer is not an object');
  const models = await modelIds(endpoint, ctx, props);
  const contextTokens: Record<string, number> = {};
  for (const m of models) if (props.context !== null) contextTokens[m] = props.context;
  return capabilities({ models, loadedModels: models, contextTokens, slots: props.slots });
}
