import type { EndpointConfig } from '../../config/fleet-schema.js';
import type { HttpResult } from '../http.js';
import { call, objectList, serverRoot, type ProbeContext } from '../prober.js';

// Which of an Ollama's models can take a chat completion. An embedding model (`capabilities:
// ["embedding"]` in `POST /api/show`, and in `GET /api/tags` entries on recent versions — see
// ollama/ollama docs/api.md) answers a chat completion with an error, so like LM Studio's
// embeddings it is not a usable model.

/** At most this many `/api/show` calls per probe or scan: a host with many models is not walked in full. */
export const OLLAMA_SHOW_LIMIT = 4;

export interface OllamaModel {
  name: string;
  /** null when the answer does not say (older versions' /api/tags). */
  capabilities: string[] | null;
}

function capabilityList(value: unknown): string[] | null {
  return Array.isArray(value) ? value.filter((c): c is string => typeof c === 'string') : null;
}

export function ollamaModels(res: HttpResult): OllamaModel[] | null {
  if (!res.ok) return null;
  const list = objectList(res.json, 'models');
  if (list === null) return null;
  return list
    .map((m) => ({ name: m.name ?? m.model, capabilities: capabilityList(m.capabilities) }))
    .filter((m): m is OllamaModel => typeof m.name === 'string');
}

/** Embedding-only: says `embedding` and not `completion`. Unknown capabilities count as usable. */
export function isEmbeddingOnly(capabilities: readonly string[] | null): boolean {
  return (
    capabilities !== null &&
    capabilities.includes('embedding') &&
    !capabilities.includes('completion')
  );
}

export function showModel(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
  model: string,
): Promise<HttpResult> {
  return call(endpoint, ctx, `${serverRoot(endpoint.base_url)}/api/show`, {
    method: 'POST',
    body: { model, name: model },
  });
}

export function showCapabilities(res: HttpResult): string[] | null {
  return res.ok
    ? capabilityList((res.json as { capabilities?: unknown } | null)?.capabilities)
    : null;
}

/**
 * Names of the embedding-only models. Read from /api/tags when it carries capabilities; an older
 * Ollama's list does not, and then `/api/show` is asked for at most OLLAMA_SHOW_LIMIT models (the
 * rest count as usable). Answers of /api/show are returned so a scan can reuse them.
 */
export async function embeddingModels(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
  models: readonly OllamaModel[],
): Promise<{ embeddings: Set<string>; shown: Map<string, HttpResult> }> {
  const shown = new Map<string, HttpResult>();
  if (models.some((m) => m.capabilities !== null)) {
    return {
      embeddings: new Set(models.filter((m) => isEmbeddingOnly(m.capabilities)).map((m) => m.name)),
      shown,
    };
  }
  const asked = models.slice(0, OLLAMA_SHOW_LIMIT).map((m) => m.name);
  const answers = await Promise.all(asked.map((name) => showModel(endpoint, ctx, name)));
  asked.forEach((name, i) => shown.set(name, answers[i]!));
  return {
    embeddings: new Set(
      asked.filter((name) => isEmbeddingOnly(showCapabilities(shown.get(name)!))),
    ),
    shown,
  };
}
