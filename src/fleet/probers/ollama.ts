import type { EndpointConfig } from '../../config/fleet-schema.js';
import { capabilities, capabilityFailure, capabilityInvalid, type Capabilities } from '../capabilities.js';
import type { HttpResult } from '../http.js';
import { baseResult, call, downResult, invalidResult, objectList, positiveInt, serverRoot, upResult, type ProbeContext, type ProbeResult } from '../prober.js';

// Ollama's native API: `/api/tags` (models pulled), `/api/ps` (models loaded, with their context),
// `POST /api/show` (model_info `<arch>.context_length`). None of them runs a model.

/** At most this many `/api/show` calls per scan: a host with many models is not walked in full. */
export const OLLAMA_SHOW_LIMIT = 4;

function modelNames(res: HttpResult): string[] | null {
  if (!res.ok) return null;
  const list = objectList(res.json, 'models');
  if (list === null) return null;
  return list.map((m) => m.name ?? m.model).filter((n): n is string => typeof n === 'string');
}

export async function probeOllama(endpoint: EndpointConfig, ctx: ProbeContext): Promise<ProbeResult> {
  const result = baseResult(endpoint, 'ollama', ctx);
  const root = serverRoot(endpoint.base_url);
  const [tags, ps] = await Promise.all([call(endpoint, ctx, `${root}/api/tags`), call(endpoint, ctx, `${root}/api/ps`)]);
  if (!tags.ok) return downResult(result, 'GET /api/tags', tags, endpoint);
  const models = modelNames(tags);
  if (models === null) return invalidResult(result, 'GET /api/tags: answer has no "models" list', tags.latencyMs);
  return upResult(result, models, modelNames(ps), tags.latencyMs, 'pull one with `ollama pull`');
}

/** `<arch>.context_length` from `/api/show`'s model_info (e.g. `llama.context_length`). */
function showContext(res: HttpResult): number | null {
  if (!res.ok) return null;
  const info = (res.json as { model_info?: unknown } | null)?.model_info;
  if (!info || typeof info !== 'object') return null;
  const found = Object.entries(info).find(([key, value]) => key.endsWith('.context_length') && positiveInt(value) !== null);
  return found ? (found[1] as number) : null;
}

export async function readOllamaCapabilities(endpoint: EndpointConfig, ctx: ProbeContext): Promise<Capabilities> {
  const root = serverRoot(endpoint.base_url);
  const [tags, ps] = await Promise.all([call(endpoint, ctx, `${root}/api/tags`), call(endpoint, ctx, `${root}/api/ps`)]);
  if (!tags.ok) return capabilityFailure('GET /api/tags', tags, endpoint);
  const models = modelNames(tags);
  if (models === null) return capabilityInvalid('GET /api/tags: answer has no "models" list');
  const running = ps.ok ? (objectList(ps.json, 'models') ?? []) : [];
  const loaded = ps.ok ? (modelNames(ps) ?? []) : null;
  const contextTokens: Record<string, number> = {};
  // A loaded model's context_length (Ollama 0.6 and later) is what it was loaded with: the usable context.
  for (const m of running) {
    const name = m.name ?? m.model;
    const context = positiveInt(m.context_length);
    if (typeof name === 'string' && context !== null) contextTokens[name] = context;
  }
  const pending = (loaded && loaded.length > 0 ? loaded : models).filter((m) => contextTokens[m] === undefined).slice(0, OLLAMA_SHOW_LIMIT);
  const shown = await Promise.all(pending.map((model) => call(endpoint, ctx, `${root}/api/show`, { method: 'POST', body: { model, name: model } })));
  pending.forEach((model, i) => {
    const context = showContext(shown[i]!);
    if (context !== null) contextTokens[model] = context;
  });
  return capabilities({ models, loadedModels: loaded, contextTokens });
}
