// The Alertmanager webhook payload (version 4): content type, JSON, schema. Pure: bytes in, a
// validated payload or a rejection out.
import * as z from 'zod';
import { ForbiddenKeyError, parseJson } from '../util/json.js';
import { rejection, type WebhookRejection } from './errors.js';

const labelSet = z.record(z.string(), z.string());

// Alertmanager fingerprints are 16 hex digits; other senders get some room, but never anything that
// could be mistaken for a path or an option.
const FINGERPRINT = /^[A-Za-z0-9._:-]{1,128}$/;

export const alertSchema = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet,
  annotations: labelSet.optional(),
  startsAt: z
    .string()
    .max(64)
    .refine((s) => Number.isFinite(Date.parse(s)), 'must be an RFC 3339 time'),
  endsAt: z.string().max(64).optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().regex(FINGERPRINT, 'must be 1-128 letters, digits or . _ : -'),
});

export const payloadSchema = z.looseObject({
  version: z.literal('4'),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().min(0).optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: labelSet.optional(),
  commonLabels: labelSet.optional(),
  commonAnnotations: labelSet.optional(),
  externalURL: z.string().optional(),
  alerts: z.array(alertSchema).min(1),
});

export type WebhookAlert = z.infer<typeof alertSchema>;
export type WebhookPayload = z.infer<typeof payloadSchema>;

export type ParseResult =
  { ok: true; payload: WebhookPayload } | { ok: false; rejection: WebhookRejection };

/** `application/json`, with no charset or utf-8. Anything else is not what Alertmanager sends. */
export function checkContentType(header: string | undefined): WebhookRejection | null {
  if (!header) return rejection('WRONG_CONTENT_TYPE', 'no Content-Type header');
  const [type = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json')
    return rejection('WRONG_CONTENT_TYPE', `got ${JSON.stringify(type.slice(0, 100))}`);
  for (const param of params) {
    const [name, value = ''] = param.split('=').map((p) => p.trim());
    if (name === 'charset' && !['utf-8', 'utf8', '"utf-8"'].includes(value)) {
      return rejection(
        'WRONG_CONTENT_TYPE',
        `charset ${JSON.stringify(value.slice(0, 40))} is not utf-8`,
      );
    }
  }
  return null;
}

/** A field path in a message is bounded: label keys come from the sender and can be any length. */
const MAX_PATH_PART = 40;
const MAX_PATH = 160;
const MAX_ISSUE_MESSAGE = 160;

function bounded(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path)
    out +=
      typeof part === 'number'
        ? `[${part}]`
        : `${out ? '.' : ''}${bounded(JSON.stringify(String(part)).slice(1, -1), MAX_PATH_PART)}`;
  return bounded(out, MAX_PATH) || '(payload)';
}

/** JSON.parse's own message quotes the body ("Unexpected token … "<body>" is not valid JSON"): keep only where. */
function jsonErrorDetail(err: unknown): string {
  const at = /position (\d+)/.exec((err as Error).message);
  if (at) return `syntax error at position ${at[1]}`;
  return /end of JSON input/i.test((err as Error).message)
    ? 'unexpected end of the body'
    : 'syntax error';
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'another string' : `a ${typeof value}`;
}

/**
 * Parse and validate a payload. The message names the first problems found (bounded paths, zod's
 * messages, which name types and expected values), never text of the body.
 */
export function parsePayload(body: Buffer | string): ParseResult {
  let text: string;
  try {
    text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return { ok: false, rejection: rejection('INVALID_JSON', 'body is not valid UTF-8') };
  }
  if (text.trim() === '') return { ok: false, rejection: rejection('INVALID_JSON', 'empty body') };
  let raw: unknown;
  try {
    raw = parseJson(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    if (err instanceof ForbiddenKeyError)
      return {
        ok: false,
        rejection: rejection(
          'INVALID_PAYLOAD',
          `${formatIssuePath(err.keyPath.split('.'))}: the key "${err.key}" is not allowed`,
        ),
      };
    return { ok: false, rejection: rejection('INVALID_JSON', jsonErrorDetail(err)) };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      ok: false,
      rejection: rejection('INVALID_PAYLOAD', 'the payload must be a JSON object'),
    };
  }
  const record = raw as Record<string, unknown>;
  if (record.version !== '4') {
    // A version number is named (it tells the operator which sender is wrong); any other value only by its type.
    const got =
      record.version === undefined
        ? 'no "version" field'
        : typeof record.version === 'string' && /^\d{1,3}(\.\d{1,3})?$/.test(record.version)
          ? `got version "${record.version}"`
          : `"version" is ${describeType(record.version)}`;
    return { ok: false, rejection: rejection('UNSUPPORTED_VERSION', got) };
  }
  if (!Array.isArray(record.alerts) || record.alerts.length === 0) {
    const got =
      record.alerts === undefined
        ? 'no "alerts" field'
        : Array.isArray(record.alerts)
          ? 'the list is empty'
          : '"alerts" is not a list';
    return { ok: false, rejection: rejection('MISSING_ALERTS', got) };
  }
  const result = payloadSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues;
    const shown = issues
      .slice(0, 3)
      .map((i) => `${formatIssuePath(i.path)}: ${bounded(i.message, MAX_ISSUE_MESSAGE)}`);
    if (issues.length > 3) shown.push(`and ${issues.length - 3} more`);
    return { ok: false, rejection: rejection('INVALID_PAYLOAD', shown.join('; ')) };
  }
  return { ok: true, payload: result.data };
}
