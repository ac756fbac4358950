import type { EndpointConfig } from '../config/fleet-schema.js';
import type { EndpointKind, EndpointState, ProbeErrorClass } from '../domain/types.js';
import type { HttpClient, HttpRequest, HttpResult } from './http.js';
import type { ServerLoad } from './load/types.js';

/** One probe's outcome. Probes never throw: failure is data plus a reason a person can read. */
export interface ProbeResult {
  endpointId: string;
  /** The kind probed (for `auto`, the kind detected; `auto` when nothing could be detected). */
  kind: EndpointKind;
  state: EndpointState;
  up: boolean;
  ready: boolean;
  latencyMs: number | null;
  models: string[];
  loadedModels: string[] | null;
  errorClass: ProbeErrorClass | null;
  reason: string;
  probedAt: string;
  /** Tokens spent (only by an opt-in canary; probes themselves cost none). */
  tokens: number;
  /** What the server says about its own load (running, waiting, slots); null when it says nothing. */
  load: ServerLoad | null;
}

export interface ProbeContext {
  http: HttpClient;
  now: () => Date;
  /** For `kind: auto`: the kind an earlier probe detected, tried first so detection is not repeated. */
  detectedKind?: EndpointKind;
}

export type Prober = (endpoint: EndpointConfig, ctx: ProbeContext) => Promise<ProbeResult>;

type Failed = Extract<HttpResult, { ok: false }>;

/** Strip a trailing `/v1` (and slashes): the server's root, where native APIs live. */
export function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** The OpenAI-style API base: `base_url` as configured, with `/v1` added when it is missing. */
export function openAiBase(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return /\/v1$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
}

export function requestInit(endpoint: EndpointConfig): {
  timeoutMs: number;
  headers: Record<string, string>;
} {
  return { timeoutMs: endpoint.timeout_sec * 1000, headers: { ...endpoint.headers } };
}

/** GET (or POST) a path of the endpoint with its timeout and headers. */
export function call(
  endpoint: EndpointConfig,
  ctx: ProbeContext,
  url: string,
  extra: Partial<HttpRequest> = {},
): Promise<HttpResult> {
  return ctx.http.request(url, { ...requestInit(endpoint), ...extra });
}

export function baseResult(
  endpoint: EndpointConfig,
  kind: EndpointKind,
  ctx: ProbeContext,
): ProbeResult {
  return {
    endpointId: endpoint.id,
    kind,
    state: 'down',
    up: false,
    ready: false,
    latencyMs: null,
    models: [],
    loadedModels: null,
    errorClass: null,
    reason: '',
    probedAt: ctx.now().toISOString(),
    tokens: 0,
    load: null,
  };
}

/** A readable reason for a failed call: which call, and what went wrong. */
export function failureReason(what: string, res: Failed, endpoint: EndpointConfig): string {
  const why =
    res.errorClass === 'timeout' ? `no answer within ${endpoint.timeout_sec}s` : res.reason;
  return `${what}: ${why}`;
}

/**
 * The call named by `what` failed: the endpoint is down — unless it refused for want of
 * credentials, which means it is there and answering (see `authResult`).
 */
export function downResult(
  result: ProbeResult,
  what: string,
  res: Failed,
  endpoint: EndpointConfig,
): ProbeResult {
  if (res.errorClass === 'auth_required') return authResult(result, what, res, endpoint);
  return {
    ...result,
    state: 'down',
    up: false,
    ready: false,
    latencyMs: res.latencyMs,
    errorClass: res.errorClass,
    reason: failureReason(what, res, endpoint),
  };
}

/**
 * A 401/403: the server is up, but laneguard may not read it, so it cannot say a model is
 * available (not ready). The fix is the endpoint's `headers`, not a restart, so it is not down.
 */
export function authResult(
  result: ProbeResult,
  what: string,
  res: Failed,
  endpoint: EndpointConfig,
): ProbeResult {
  return {
    ...result,
    state: 'up',
    up: true,
    ready: false,
    latencyMs: res.latencyMs,
    errorClass: 'auth_required',
    reason: failureReason(what, res, endpoint),
  };
}

/** Answered with something that is not the expected shape. */
export function invalidResult(result: ProbeResult, reason: string, latencyMs: number): ProbeResult {
  return {
    ...result,
    state: 'down',
    up: false,
    ready: false,
    latencyMs,
    errorClass: 'invalid_response',
    reason,
  };
}

/** The endpoint is up; it is ready when at least one model is available. */
export function upResult(
  result: ProbeResult,
  models: string[],
  loadedModels: string[] | null,
  latencyMs: number,
  emptyHint: string,
): ProbeResult {
  const base = { ...result, state: 'up' as const, up: true, latencyMs, models, loadedModels };
  if (models.length === 0)
    return {
      ...base,
      ready: false,
      errorClass: 'no_models',
      reason: `up, but no model is available (${emptyHint})`,
    };
  const loaded = loadedModels === null ? '' : `, ${loadedModels.length} loaded`;
  return {
    ...base,
    ready: true,
    errorClass: null,
    reason: `${models.length} model${models.length === 1 ? '' : 's'}${loaded}`,
  };
}

/** Model ids of an OpenAI-style `{"data": [{"id": …}]}` list, or null when the shape is wrong. */
export function openAiModelIds(json: unknown): string[] | null {
  const data = (json as { data?: unknown })?.data;
  // Ollama with nothing pulled answers `{"object":"list","data":null}` (openai/openai.go
  // ToListCompletion leaves the slice nil): an empty list, not a wrong shape.
  if (data === null && (json as { object?: unknown }).object === 'list') return [];
  if (!Array.isArray(data)) return null;
  return data
    .map((m) => (m as { id?: unknown })?.id)
    .filter((id): id is string => typeof id === 'string');
}

/** `json.key` when it is an array of objects, else null. */
export function objectList(json: unknown, key: string): Array<Record<string, unknown>> | null {
  const list = (json as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(list)) return null;
  return list.filter(
    (item): item is Record<string, unknown> => typeof item === 'object' && item !== null,
  );
}

export function positiveInt(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}
