import type { EndpointConfig } from '../config/fleet-schema.js';
import type { EndpointKind, EndpointState, ProbeErrorClass } from '../domain/types.js';
import type { HttpClient } from './http.js';

/** One probe's outcome. Probes never throw: failure is data plus a reason a person can read. */
export interface ProbeResult {
  endpointId: string;
  /** The kind probed (for `auto`, the kind detected). */
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
}

export interface ProbeContext {
  http: HttpClient;
  now: () => Date;
}

export type Prober = (endpoint: EndpointConfig, ctx: ProbeContext) => Promise<ProbeResult>;

/** Strip a trailing `/v1` (and slashes): the server's root, where native APIs live. */
export function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** The OpenAI-style API base: `base_url` as configured, with `/v1` added when it is missing. */
export function openAiBase(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return /\/v1$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
}

export function requestInit(endpoint: EndpointConfig): { timeoutMs: number; headers: Record<string, string> } {
  return { timeoutMs: endpoint.timeout_sec * 1000, headers: { ...endpoint.headers } };
}

export function baseResult(endpoint: EndpointConfig, kind: EndpointKind, ctx: ProbeContext): ProbeResult {
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
  };
}

/** Model ids of an OpenAI-style `{"data": [{"id": …}]}` list, or null when the shape is wrong. */
export function openAiModelIds(json: unknown): string[] | null {
  const data = (json as { data?: unknown })?.data;
  if (!Array.isArray(data)) return null;
  return data
    .map((m) => (m as { id?: unknown })?.id)
    .filter((id): id is string => typeof id === 'string');
}
