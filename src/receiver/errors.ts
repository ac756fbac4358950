// The receiver's error catalogue: every 4xx it answers has a code, a status, a short machine
// reason (recorded in `webhook_rejected` history events) and a message that says how to fix it.

export interface WebhookErrorSpec {
  code: string;
  status: number;
  reason: string;
  message: string;
}

export const WEBHOOK_ERRORS = {
  AUTH_UNCONFIGURED: {
    code: 'WEBHOOK_AUTH_UNCONFIGURED',
    status: 403,
    reason: 'auth_unconfigured',
    message:
      'no webhook credentials configured: set server.token_file (or LANEGUARD_WEBHOOK_TOKEN) in config/local_model_idle_guard.json',
  },
  AUTH_MISSING: {
    code: 'WEBHOOK_AUTH_MISSING',
    status: 401,
    reason: 'missing_credentials',
    message:
      'missing Authorization header: send "Authorization: Bearer <token>" (Alertmanager http_config.authorization) or basic auth',
  },
  AUTH_INVALID: {
    code: 'WEBHOOK_AUTH_INVALID',
    status: 401,
    reason: 'invalid_credentials',
    message:
      'invalid credentials: the token or basic auth does not match server.token_file / server.basic_auth',
  },
  METHOD_NOT_ALLOWED: {
    code: 'WEBHOOK_METHOD_NOT_ALLOWED',
    status: 405,
    reason: 'method_not_allowed',
    message: 'the Alertmanager receiver only accepts POST',
  },
  WRONG_CONTENT_TYPE: {
    code: 'WEBHOOK_WRONG_CONTENT_TYPE',
    status: 400,
    reason: 'wrong_content_type',
    message: 'Content-Type must be application/json (charset utf-8), as Alertmanager sends it',
  },
  BODY_TOO_LARGE: {
    code: 'WEBHOOK_BODY_TOO_LARGE',
    status: 413,
    reason: 'body_too_large',
    message:
      'body is larger than server.body_limit_bytes; raise it or lower max_alerts in the Alertmanager webhook_config',
  },
  BODY_UNREADABLE: {
    code: 'WEBHOOK_BODY_UNREADABLE',
    status: 400,
    reason: 'body_unreadable',
    message: 'the request body could not be read',
  },
  INVALID_JSON: {
    code: 'WEBHOOK_INVALID_JSON',
    status: 400,
    reason: 'invalid_json',
    message: 'body is not valid JSON',
  },
  UNSUPPORTED_VERSION: {
    code: 'WEBHOOK_UNSUPPORTED_VERSION',
    status: 400,
    reason: 'unsupported_version',
    message: 'not an Alertmanager webhook payload of version "4"',
  },
  MISSING_ALERTS: {
    code: 'WEBHOOK_MISSING_ALERTS',
    status: 400,
    reason: 'missing_alerts',
    message: 'payload has no alerts: "alerts" must be a non-empty list',
  },
  INVALID_PAYLOAD: {
    code: 'WEBHOOK_INVALID_PAYLOAD',
    status: 400,
    reason: 'invalid_payload',
    message: 'payload does not match the Alertmanager version 4 webhook format',
  },
} as const satisfies Record<string, WebhookErrorSpec>;

export type WebhookErrorName = keyof typeof WEBHOOK_ERRORS;

/** One rejected request: the catalogue entry, with the detail of this request in the message. */
export interface WebhookRejection extends WebhookErrorSpec {
  name: WebhookErrorName;
}

export function rejection(name: WebhookErrorName, detail?: string): WebhookRejection {
  const spec = WEBHOOK_ERRORS[name];
  return { name, ...spec, message: detail ? `${spec.message} (${detail})` : spec.message };
}

/** What a rejected request is answered with (never an echo of the body). */
export function rejectionBody(r: WebhookRejection): {
  error: string;
  code: string;
  message: string;
} {
  return { error: r.reason, code: r.code, message: r.message };
}
