import type { EndpointKind } from '../../domain/types.js';
import type { Prober } from '../prober.js';
import { probeOpenAi } from './openai.js';

/** Backend kind → prober. A new backend is one file plus one entry here. */
export const PROBERS: Record<EndpointKind, Prober> = {
  openai: (e, ctx) => probeOpenAi(e, ctx),
  lmstudio: (e, ctx) => probeOpenAi(e, ctx, 'lmstudio'),
  ollama: (e, ctx) => probeOpenAi(e, ctx),
  llamacpp: (e, ctx) => probeOpenAi(e, ctx),
  vllm: (e, ctx) => probeOpenAi(e, ctx),
  auto: (e, ctx) => probeOpenAi(e, ctx),
};
