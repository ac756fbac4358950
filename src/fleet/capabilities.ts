import type { EndpointConfig } from '../config/fleet-schema.js';
import type { ProbeErrorClass } from '../domain/types.js';
import type { HttpResult } from './http.js';
import { failureReason, type ProbeContext } from './prober.js';

/** What one backend can tell cheaply about its capacity (read by the capability scan). */
export interface Capabilities {
  ok: boolean;
  errorClass: ProbeErrorClass | null;
  reason: string;
  models: string[];
  /** Models loaded in memory; null when the backend does not tell. */
  loadedModels: string[] | null;
  /** Context length per model, where the backend tells. */
  contextTokens: Record<string, number>;
  /** Context of the loaded model(s) when known, else the largest of any model; null when unknown. */
  maxContextTokens: number | null;
  /** Parallel request slots (llama.cpp `total_slots`); null when the backend does not tell. */
  slots: number | null;
}

export type CapabilityReader = (
  endpoint: EndpointConfig,
  ctx: ProbeContext,
) => Promise<Capabilities>;

export function capabilityFailure(
  what: string,
  res: Extract<HttpResult, { ok: false }>,
  endpoint: EndpointConfig,
): Capabilities {
  return {
    ...emptyCapabilities(),
    errorClass: res.errorClass,
    reason: failureReason(what, res, endpoint),
  };
}

export function capabilityInvalid(reason: string): Capabilities {
  return { ...emptyCapabilities(), errorClass: 'invalid_response', reason };
}

function emptyCapabilities(): Capabilities {
  return {
    ok: false,
    errorClass: null,
    reason: '',
    models: [],
    loadedModels: null,
    contextTokens: {},
    maxContextTokens: null,
    slots: null,
  };
}

/** A successful read; the usable context is that of the loaded models when the backend says which. */
export function capabilities(parts: {
  models: string[];
  loadedModels: string[] | null;
  contextTokens?: Record<string, number>;
  slots?: number | null;
}): Capabilities {
  const contextTokens = parts.contextTokens ?? {};
  const loadedContexts = (parts.loadedModels ?? [])
    .map((m) => contextTokens[m])
    .filter((n): n is number => n !== undefined);
  const contexts = loadedContexts.length > 0 ? loadedContexts : Object.values(contextTokens);
  const maxContextTokens = contexts.length > 0 ? Math.max(...contexts) : null;
  const facts = [`${parts.models.length} model${parts.models.length === 1 ? '' : 's'}`];
  if (parts.loadedModels !== null) facts.push(`${parts.loadedModels.length} loaded`);
  if (maxContextTokens !== null) facts.push(`context ${maxContextTokens}`);
  if (parts.slots) facts.push(`${parts.slots} slots`);
  return {
    ok: true,
    errorClass: null,
    reason: facts.join(', '),
    models: parts.models,
    loadedModels: parts.loadedModels,
    contextTokens,
    maxContextTokens,
    slots: parts.slots ?? null,
  };
}
