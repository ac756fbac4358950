import type { EndpointConfig } from '../../config/fleet-schema.js';
import type { EndpointKind } from '../../domain/types.js';
import { capabilityFailure, capabilityInvalid, type CapabilityReader, type Capabilities } from '../capabilities.js';
import type { HttpResult } from '../http.js';
import { baseResult, call, downResult, invalidResult, objectList, openAiBase, serverRoot, type ProbeContext, type ProbeResult, type Prober } from '../prober.js';
import { isLoadingAnswer } from './llamacpp.js';

// `kind: auto`: a few cheap GETs, all at once (one timeout at most), tell the backends apart.
// The kind found is returned in the result, and the caller passes it back as `ctx.detectedKind`
// next time, so detection runs again only when the remembered kind stops answering as itself.

export type ConcreteKind = Exclude<EndpointKind, 'auto'>;

export interface Detection {
  kind: ConcreteKind | null;
  /** Why nothing was detected (the `/v1/models` failure when the server did not answer at all). */
  failure: Extract<HttpResult, { ok: false }> | null;
  reason: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export async function detectKind(endpoint: EndpointConfig, ctx: ProbeContext): Promise<Detection> {
  const root = serverRoot(endpoint.base_url);
  const [models, props, tags, native] = await Promise.all([
    call(endpoint, ctx, `${openAiBase(endpoint.base_url)}/models`),
    call(endpoint, ctx, `${root}/props`),
    call(endpoint, ctx, `${root}/api/tags`),
    call(endpoint, ctx, `${root}/api/v0/models`),
  ]);
  const all = [models, props, tags, native];
  if (all.some(isLoadingAnswer)) return { kind: 'llamacpp', failure: null, reason: 'answers 503 "Loading model"' };
  // llama.cpp also answers /api/tags (for Ollama clients), so /props is asked first.
  if (props.ok && (isObject((props.json as Record<string, unknown>)?.default_generation_settings) || typeof (props.json as Record<string, unknown>)?.total_slots === 'number')) {
    return { kind: 'llamacpp', failure: null, reason: 'answers /props' };
  }
  if (tags.ok && objectList(tags.json, 'models') !== null) return { kind: 'ollama', failure: null, reason: 'answers /api/tags' };
  if (native.ok && objectList(native.json, 'data') !== null) return { kind: 'lmstudio', failure: null, reason: 'answers /api/v0/models' };
  const data = models.ok ? objectList(models.json, 'data') : null;
  if (data !== null) {
    const vllm = data.some((m) => m.owned_by === 'vllm' || 'max_model_len' in m);
    return { kind: vllm ? 'vllm' : 'openai', failure: null, reason: vllm ? 'lists models owned by vllm' : 'answers /v1/models' };
  }
  if (!models.ok && (models.errorClass === 'timeout' || models.errorClass === 'refused')) return { kind: null, failure: models, reason: models.reason };
  const answers = all.map((r, i) => `${['/v1/models', '/props', '/api/tags', '/api/v0/models'][i]} ${r.ok ? 'unexpected JSON' : r.reason}`);
  return { kind: null, failure: null, reason: `no known model API answered (${answers.join('; ')})` };
}

function knownKind(kind: EndpointKind | undefined): kind is ConcreteKind {
  return kind !== undefined && kind !== 'auto';
}

export async function probeAuto(endpoint: EndpointConfig, ctx: ProbeContext, probers: Record<ConcreteKind, Prober>): Promise<ProbeResult> {
  if (knownKind(ctx.detectedKind)) {
    const result = await probers[ctx.detectedKind](endpoint, ctx);
    // Silence says nothing about the kind; a wrong answer may mean another server took the port.
    if (result.state !== 'down' || result.errorClass === 'timeout' || result.errorClass === 'refused') return result;
  }
  const detection = await detectKind(endpoint, ctx);
  if (detection.kind !== null) return probers[detection.kind](endpoint, ctx);
  const result = baseResult(endpoint, 'auto', ctx);
  if (detection.failure) return downResult(result, 'GET /v1/models', detection.failure, endpoint);
  return invalidResult(result, `kind auto: ${detection.reason}`, 0);
}

export async function readAutoCapabilities(endpoint: EndpointConfig, ctx: ProbeContext, readers: Record<ConcreteKind, CapabilityReader>): Promise<Capabilities & { kind: EndpointKind }> {
  if (knownKind(ctx.detectedKind)) {
    const read = await readers[ctx.detectedKind](endpoint, ctx);
    if (read.ok || read.errorClass === 'timeout' || read.errorClass === 'refused') return { ...read, kind: ctx.detectedKind };
  }
  const detection = await detectKind(endpoint, ctx);
  if (detection.kind !== null) return { ...(await readers[detection.kind](endpoint, ctx)), kind: detection.kind };
  if (detection.failure) return { ...capabilityFailure('GET /v1/models', detection.failure, endpoint), kind: 'auto' };
  return { ...capabilityInvalid(`kind auto: ${detection.reason}`), kind: 'auto' };
}
