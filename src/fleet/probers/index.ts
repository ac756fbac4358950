import type { EndpointConfig } from '../../config/fleet-schema.js';
import type { ConcreteKind, EndpointKind } from '../../domain/catalogues.js';
import type { CapabilityReader, Capabilities } from '../capabilities.js';
import { readLlamaCppLoad } from '../load/llamacpp.js';
import type { ServerLoad } from '../load/types.js';
import { readVllmLoad } from '../load/vllm.js';
import type { ProbeContext, Prober } from '../prober.js';
import { probeAuto, readAutoCapabilities } from './auto.js';
import { probeLlamaCpp, readLlamaCppCapabilities } from './llamacpp.js';
import { probeLmStudio, readLmStudioCapabilities } from './lmstudio.js';
import { probeOllama, readOllamaCapabilities } from './ollama.js';
import { probeOpenAi, readOpenAiCapabilities } from './openai.js';
import { probeVllm, readVllmCapabilities } from './vllm.js';

export type LoadReader = (
  endpoint: EndpointConfig,
  ctx: ProbeContext,
) => Promise<ServerLoad | null>;

/** Everything laneguard knows how to ask one kind of model server. */
export interface Backend {
  /** The cheap health probe (no tokens). */
  probe: Prober;
  /** The capability scan: context lengths, loaded models, usable models. */
  readCapabilities: CapabilityReader;
  /** Live load (requests running and waiting, slots), where the server reports it. */
  readLoad?: LoadReader;
}

// Backend kind → what to ask it. A new backend is its file(s) plus one entry here. Ollama's
// `/api/ps` names loaded models (the probe reads it) but not the requests in flight; LM Studio and
// plain OpenAI servers report no load.
export const BACKENDS: Record<ConcreteKind, Backend> = {
  openai: { probe: probeOpenAi, readCapabilities: readOpenAiCapabilities },
  lmstudio: { probe: probeLmStudio, readCapabilities: readLmStudioCapabilities },
  ollama: { probe: probeOllama, readCapabilities: readOllamaCapabilities },
  llamacpp: {
    probe: probeLlamaCpp,
    readCapabilities: readLlamaCppCapabilities,
    readLoad: readLlamaCppLoad,
  },
  vllm: { probe: probeVllm, readCapabilities: readVllmCapabilities, readLoad: readVllmLoad },
};

const pick = <T>(field: (b: Backend) => T): Record<ConcreteKind, T> =>
  Object.fromEntries(
    Object.entries(BACKENDS).map(([kind, backend]) => [kind, field(backend)]),
  ) as Record<ConcreteKind, T>;

const CONCRETE_PROBERS = pick((b) => b.probe);
const CONCRETE_READERS = pick((b) => b.readCapabilities);

export const PROBERS: Record<EndpointKind, Prober> = {
  ...CONCRETE_PROBERS,
  auto: (endpoint, ctx) => probeAuto(endpoint, ctx, CONCRETE_PROBERS),
};

/** Read an endpoint's capabilities with the reader of its kind; `auto` detects (or reuses `ctx.detectedKind`). */
export async function readCapabilities(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
): Promise<Capabilities & { kind: EndpointKind }> {
  if (endpoint.kind === 'auto') return readAutoCapabilities(endpoint, ctx, CONCRETE_READERS);
  return { ...(await CONCRETE_READERS[endpoint.kind](endpoint, ctx)), kind: endpoint.kind };
}
