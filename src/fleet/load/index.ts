import type { EndpointConfig } from '../../config/fleet-schema.js';
import type { EndpointKind } from '../../domain/types.js';
import type { ProbeContext } from '../prober.js';
import { readLlamaCppLoad } from './llamacpp.js';
import type { ServerLoad } from './types.js';
import { readVllmLoad } from './vllm.js';

export type { ServerLoad } from './types.js';

export type LoadReader = (endpoint: EndpointConfig, ctx: ProbeContext) => Promise<ServerLoad | null>;

// Backend kind → live-load reader. Ollama's `/api/ps` says which models are loaded (the probe
// already reads it) but not the requests in flight; LM Studio and plain OpenAI servers say nothing.
export const LOAD_READERS: Partial<Record<EndpointKind, LoadReader>> = {
  vllm: readVllmLoad,
  llamacpp: readLlamaCppLoad,
};

/** The server's load, or null when its kind reports none or it did not answer. Never throws. */
export async function readLoad(endpoint: EndpointConfig, kind: EndpointKind | undefined, ctx: ProbeContext): Promise<ServerLoad | null> {
  const reader = kind ? LOAD_READERS[kind] : undefined;
  if (!reader) return null;
  try {
    return await reader(endpoint, ctx);
  } catch {
    return null;
  }
}
