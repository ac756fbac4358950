import type { EndpointKind } from '../../domain/types.js';
import type { CapabilityReader, Capabilities } from '../capabilities.js';
import type { ProbeContext, Prober } from '../prober.js';
import type { EndpointConfig } from '../../config/fleet-schema.js';
import type { ConcreteKind } from '../../domain/catalogues.js';
import { probeAuto, readAutoCapabilities } from './auto.js';
import { probeLlamaCpp, readLlamaCppCapabilities } from './llamacpp.js';
import { probeLmStudio, readLmStudioCapabilities } from './lmstudio.js';
import { probeOllama, readOllamaCapabilities } from './ollama.js';
import { probeOpenAi, readOpenAiCapabilities } from './openai.js';
import { probeVllm, readVllmCapabilities } from './vllm.js';

// Backend kind → prober and capability reader. A new backend is one file plus one entry in each map.

const CONCRETE_PROBERS: Record<ConcreteKind, Prober> = {
  openai: probeOpenAi,
  lmstudio: probeLmStudio,
  ollama: probeOllama,
  llamacpp: probeLlamaCpp,
  vllm: probeVllm,
};

export const PROBERS: Record<EndpointKind, Prober> = {
  ...CONCRETE_PROBERS,
  auto: (endpoint, ctx) => probeAuto(endpoint, ctx, CONCRETE_PROBERS),
};

const CONCRETE_READERS: Record<ConcreteKind, CapabilityReader> = {
  openai: readOpenAiCapabilities,
  lmstudio: readLmStudioCapabilities,
  ollama: readOllamaCapabilities,
  llamacpp: readLlamaCppCapabilities,
  vllm: readVllmCapabilities,
};

/** Read an endpoint's capabilities with the reader of its kind; `auto` detects (or reuses `ctx.detectedKind`). */
export async function readCapabilities(endpoint: EndpointConfig, ctx: ProbeContext): Promise<Capabilities & { kind: EndpointKind }> {
  if (endpoint.kind === 'auto') return readAutoCapabilities(endpoint, ctx, CONCRETE_READERS);
  return { ...(await CONCRETE_READERS[endpoint.kind](endpoint, ctx)), kind: endpoint.kind };
}
