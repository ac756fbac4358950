import type { EndpointConfig } from '../../config/fleet-schema.js';
import type { ConcreteKind, EndpointKind } from '../../domain/catalogues.js';
import {
  capabilityFailure,
  capabilityInvalid,
  type CapabilityReader,
  type Capabilities,
} from '../capabilities.js';
import { isMissingRoute, type HttpResult } from '../http.js';
import {
  authResult,
  baseResult,
  call,
  downResult,
  invalidResult,
  objectList,
  openAiBase,
  serverRoot,
  type ProbeContext,
  type ProbeResult,
  type Prober,
} from '../prober.js';
import { isLoadingAnswer, llamaCppModelList } from './llamacpp.js';

// `kind: auto`: a few cheap GETs, all at once (one timeout at most), tell the backends apart.
// The kind found is returned in the result, and the caller passes it back as `ctx.detectedKind`
// next time, so detection runs again only when the remembered kind stops answering as itself.

export interface Detection {
  kind: ConcreteKind | null;
  /** When nothing was detected: the `/v1/models` failure, if that call failed. */
  failure: Extract<HttpResult, { ok: false }> | null;
  /** When nothing was detected: the server did not answer at all (timeout or refused). */
  silent: boolean;
  reason: string;
  /** Latency of the `/v1/models` call. */
  latencyMs: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
type Failed = Extract<HttpResult, { ok: false }>;

function isLmStudioUnknownRoute(res: HttpResult): boolean {
  return (
    isMissingRoute(res) &&
    res.status === 200 &&
    /Unexpected endpoint or method/.test(res.ok ? '' : (res.text ?? ''))
  );
}

export async function detectKind(endpoint: EndpointConfig, ctx: ProbeContext): Promise<Detection> {
  const root = serverRoot(endpoint.base_url);
  const [models, props, tags, native] = await Promise.all([
    call(endpoint, ctx, `${openAiBase(endpoint.base_url)}/models`),
    call(endpoint, ctx, `${root}/props`),
    call(endpoint, ctx, `${root}/api/tags`),
    call(endpoint, ctx, `${root}/api/v0/models`),
  ]);
  const all = [models, props, tags, native];
  const found = (kind: ConcreteKind, reason: string): Detection => ({
    kind,
    failure: null,
    silent: false,
    reason,
    latencyMs: models.latencyMs,
  });
  if (all.some(isLoadingAnswer)) return found('llamacpp', 'answers 503 "Loading model"');
  // llama.cpp also answers /api/tags (for Ollama clients), so /props is asked first.
  if (
    props.ok &&
    (isObject((props.json as Record<string, unknown>)?.default_generation_settings) ||
      typeof (props.json as Record<string, unknown>)?.total_slots === 'number')
  ) {
    return found('llamacpp', 'answers /props');
  }
  // llama.cpp with `--api-key` answers /props 401 but lists its model publicly, owned by itself;
  // recent builds also answer /api/tags, so this comes before the Ollama rule.
  if (models.ok && llamaCppModelList(models.json) !== null)
    return found('llamacpp', 'lists models owned by llamacpp');
  if (tags.ok && objectList(tags.json, 'models') !== null)
    return found('ollama', 'answers /api/tags');
  if (native.ok && objectList(native.json, 'data') !== null)
    return found('lmstudio', 'answers /api/v0/models');
  const data = models.ok ? objectList(models.json, 'data') : null;
  // LM Studio before 0.3.6 has no /api/v0 and answers any route it lacks with HTTP 200 and
  // `{"error":"Unexpected endpoint or method. (GET /api/v0/models)"}`: its signature.
  if (data !== null && [props, tags, native].some(isLmStudioUnknownRoute))
    return found('lmstudio', 'answers unknown routes as LM Studio does');
  if (data !== null) {
    const vllm = data.some((m) => m.owned_by === 'vllm' || 'max_model_len' in m);
    return vllm
      ? found('vllm', 'lists models owned by vllm')
      : found('openai', 'answers /v1/models');
  }
  const failure = models.ok ? null : models;
  const refusal = [models, props, tags, native].find(
    (r): r is Failed => !r.ok && r.errorClass === 'auth_required',
  );
  if (refusal)
    return {
      kind: null,
      failure: refusal,
      silent: false,
      reason: refusal.reason,
      latencyMs: refusal.latencyMs,
    };
  if (failure && (failure.errorClass === 'timeout' || failure.errorClass === 'refused'))
    return {
      kind: null,
      failure,
      silent: true,
      reason: failure.reason,
      latencyMs: failure.latencyMs,
    };
  const answers = all.map(
    (r, i) =>
      `${['/v1/models', '/props', '/api/tags', '/api/v0/models'][i]} ${r.ok ? 'unexpected JSON' : r.reason}`,
  );
  return {
    kind: null,
    failure,
    silent: false,
    reason: `no known model API answered (${answers.join('; ')})`,
    latencyMs: models.latencyMs,
  };
}

function knownKind(kind: EndpointKind | undefined): kind is ConcreteKind {
  return kind !== undefined && kind !== 'auto';
}

export async function probeAuto(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
  probers: Record<ConcreteKind, Prober>,
): Promise<ProbeResult> {
  if (knownKind(ctx.detectedKind)) {
    const result = await probers[ctx.detectedKind](endpoint, ctx);
    // Silence says nothing about the kind; a wrong answer may mean another server took the port.
    if (
      result.state !== 'down' ||
      result.errorClass === 'timeout' ||
      result.errorClass === 'refused'
    )
      return result;
  }
  const detection = await detectKind(endpoint, ctx);
  if (detection.kind !== null) return probers[detection.kind](endpoint, ctx);
  const result = baseResult(endpoint, 'auto', ctx);
  if (detection.failure?.errorClass === 'auth_required')
    return authResult(result, 'kind auto', detection.failure, endpoint);
  if (detection.silent && detection.failure)
    return downResult(result, 'GET /v1/models', detection.failure, endpoint);
  // Answers, but none of a known backend: an HTTP error when /v1/models failed so, else a wrong shape.
  const errorClass =
    detection.failure?.errorClass === 'http_error' ? 'http_error' : 'invalid_response';
  return {
    ...invalidResult(result, `kind auto: ${detection.reason}`, detection.latencyMs),
    errorClass,
  };
}

export async function readAutoCapabilities(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
  readers: Record<ConcreteKind, CapabilityReader>,
): Promise<Capabilities & { kind: EndpointKind }> {
  if (knownKind(ctx.detectedKind)) {
    const read = await readers[ctx.detectedKind](endpoint, ctx);
    if (
      read.ok ||
      read.errorClass === 'timeout' ||
      read.errorClass === 'refused' ||
      read.errorClass === 'auth_required'
    )
      return { ...read, kind: ctx.detectedKind };
  }
  const detection = await detectKind(endpoint, ctx);
  if (detection.kind !== null)
    return { ...(await readers[detection.kind](endpoint, ctx)), kind: detection.kind };
  if (detection.failure && (detection.silent || detection.failure.errorClass === 'auth_required'))
    return { ...capabilityFailure('GET /v1/models', detection.failure, endpoint), kind: 'auto' };
  const errorClass =
    detection.failure?.errorClass === 'http_error' ? 'http_error' : 'invalid_response';
  return { ...capabilityInvalid(`kind auto: ${detection.reason}`), errorClass, kind: 'auto' };
}
