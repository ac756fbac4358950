import type { EndpointConfig } from '../../config/fleet-schema.js';
import {
  capabilities,
  capabilityFailure,
  capabilityInvalid,
  type Capabilities,
} from '../capabilities.js';
import type { HttpResult } from '../http.js';
import {
  baseResult,
  call,
  downResult,
  invalidResult,
  objectList,
  positiveInt,
  serverRoot,
  upResult,
  type ProbeContext,
  type ProbeResult,
} from '../prober.js';
import { embeddingModels, ollamaModels, OLLAMA_SHOW_LIMIT, showModel } from './ollama-models.js';

export { OLLAMA_SHOW_LIMIT } from './ollama-models.js';

// Ollama's native API: `/api/tags` (models pulled), `/api/ps` (models loaded, with their context),
// `POST /api/show` (model_info `<arch>.context_length`, capabilities). None of them runs a model.

export async function probeOllama(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
): Promise<ProbeResult> {
  const result = baseResult(endpoint, 'ollama', ctx);
  const root = serverRoot(endpoint.base_url);
  const [tags, ps] = await Promise.all([
    call(endpoint, ctx, `${root}/api/tags`),
    call(endpoint, ctx, `${root}/api/ps`),
  ]);
  if (!tags.ok) return downResult(result, 'GET /api/tags', tags, endpoint);
  const listed = ollamaModels(tags);
  if (listed === null)
    return invalidResult(result, 'GET /api/tags: answer has no "models" list', tags.latencyMs);
  const { embeddings } = await embeddingModels(endpoint, ctx, listed);
  const models = listed.map((m) => m.name).filter((name) => !embeddings.has(name));
  const loaded =
    ollamaModels(ps)
      ?.map((m) => m.name)
      .filter((name) => !embeddings.has(name)) ?? null;
  const hint =
    embeddings.size > 0
      ? 'only embedding models; pull a chat model with `ollama pull`'
      : 'pull one with `ollama pull`';
  return upResult(result, models, loaded, tags.latencyMs, hint);
}

/** `<arch>.context_length` from `/api/show`'s model_info (e.g. `llama.context_length`). */
function showContext(res: HttpResult): number | null {
  if (!res.ok) return null;
  const info = (res.json as { model_info?: unknown } | null)?.model_info;
  if (!info || typeof info !== 'object') return null;
  const found = Object.entries(info).find(
    ([key, value]) => key.endsWith('.context_length') && positiveInt(value) !== null,
  );
  return found ? (found[1] as number) : null;
}

export async function readOllamaCapabilities(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
): Promise<Capabilities> {
  const root = serverRoot(endpoint.base_url);
  const [tags, ps] = await Promise.all([
    call(endpoint, ctx, `${root}/api/tags`),
    call(endpoint, ctx, `${root}/api/ps`),
  ]);
  if (!tags.ok) return capabilityFailure('GET /api/tags', tags, endpoint);
  const listed = ollamaModels(tags);
  if (listed === null) return capabilityInvalid('GET /api/tags: answer has no "models" list');
  const { embeddings, shown } = await embeddingModels(endpoint, ctx, listed);
  const models = listed.map((m) => m.name).filter((name) => !embeddings.has(name));
  const running = ps.ok ? (objectList(ps.json, 'models') ?? []) : [];
  const loaded = ps.ok
    ? (ollamaModels(ps) ?? []).map((m) => m.name).filter((name) => !embeddings.has(name))
    : null;
  const contextTokens: Record<string, number> = {};
  // A loaded model's context_length (Ollama 0.6 and later) is what it was loaded with: the usable context.
  for (const m of running) {
    const name = m.name ?? m.model;
    const context = positiveInt(m.context_length);
    if (typeof name === 'string' && context !== null && !embeddings.has(name))
      contextTokens[name] = context;
  }
  const pending = (loaded && loaded.length > 0 ? loaded : models)
    .filter((m) => contextTokens[m] === undefined)
    .slice(0, OLLAMA_SHOW_LIMIT);
  const answers = await Promise.all(
    pending.map((model) => shown.get(model) ?? showModel(endpoint, ctx, model)),
  );
  pending.forEach((model, i) => {
    const context = showContext(answers[i]!);
    if (context !== null) contextTokens[model] = context;
  });
  return capabilities({ models, loadedModels: loaded, contextTokens });
}
