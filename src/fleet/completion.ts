import type { EndpointConfig } from '../config/fleet-schema.js';
import type { ProbeErrorClass } from '../domain/types.js';
import { call, failureReason, openAiBase, type ProbeContext } from './prober.js';

/** One `max_tokens: 1` chat completion: the opt-in canary and the heartbeat's keep-warm. */
export interface CompletionOutcome {
  model: string;
  ok: boolean;
  /** Tokens the server says it spent (`usage`), 0 when it does not say. */
  tokens: number;
  latencyMs: number;
  errorClass: ProbeErrorClass | null;
  reason: string;
}

/** A count the server reported: only a finite, non-negative number counts (it feeds a counter). */
function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? Math.round(value)
    : null;
}

function usageTokens(json: unknown): number {
  const usage = (json as { usage?: Record<string, unknown> } | null)?.usage;
  if (!usage || typeof usage !== 'object') return 0;
  const total = count(usage.total_tokens);
  if (total !== null) return total;
  return (count(usage.prompt_tokens) ?? 0) + (count(usage.completion_tokens) ?? 0);
}

export async function tinyCompletion(
  endpoint: EndpointConfig,
  model: string,
  ctx: ProbeContext,
): Promise<CompletionOutcome> {
  const res = await call(endpoint, ctx, `${openAiBase(endpoint.base_url)}/chat/completions`, {
    method: 'POST',
    body: {
      model,
      messages: [{ role: 'user', content: 'ping' }],
      max_tokens: 1,
      temperature: 0,
      stream: false,
    },
  });
  if (!res.ok)
    return {
      model,
      ok: false,
      tokens: 0,
      latencyMs: res.latencyMs,
      errorClass: res.errorClass,
      reason: failureReason('POST /v1/chat/completions', res, endpoint),
    };
  const choices = (res.json as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) {
    return {
      model,
      ok: false,
      tokens: usageTokens(res.json),
      latencyMs: res.latencyMs,
      errorClass: 'invalid_response',
      reason: 'POST /v1/chat/completions: answer has no "choices"',
    };
  }
  const tokens = usageTokens(res.json);
  return {
    model,
    ok: true,
    tokens,
    latencyMs: res.latencyMs,
    errorClass: null,
    reason: `completion ok, ${tokens} tokens`,
  };
}
