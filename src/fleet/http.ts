import type { ProbeErrorClass } from '../domain/types.js';
import { startDeadline, within, type Deadline } from '../util/deadline.js';
import { parseJson as parseJsonSafe } from '../util/json.js';

export type HttpResult =
  | { ok: true; status: number; json: unknown; text: string; latencyMs: number }
  | {
      ok: false;
      status: number | null;
      errorClass: ProbeErrorClass;
      reason: string;
      latencyMs: number;
      text?: string;
    };

export interface HttpRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  /** Answer bodies beyond this are cut and counted invalid: a probe never buffers a huge reply. */
  maxBytes?: number;
  /**
   * `json` (default): a 2xx answer must be JSON. `any`: a 2xx answer is ok whatever its body (vLLM's
   * `/health` answers 200 with an empty body); `json` is then the parsed body, or null.
   */
  expect?: 'json' | 'any';
}

/** The HTTP client laneguard's probers use; injected so tests can point it anywhere. */
export interface HttpClient {
  request(url: string, init: HttpRequest): Promise<HttpResult>;
}

function classify(err: unknown): { errorClass: ProbeErrorClass; reason: string } {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return { errorClass: 'timeout', reason: 'timed out' };
  const code = e?.cause?.code;
  if (code === 'ECONNREFUSED') return { errorClass: 'refused', reason: 'connection refused' };
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
    return { errorClass: 'timeout', reason: 'timed out' };
  return {
    errorClass: 'refused',
    reason: `connection failed: ${code ?? e?.cause?.message ?? e?.message ?? String(err)}`,
  };
}

async function readLimited(
  res: Response,
  maxBytes: number,
  deadline: Deadline,
): Promise<string | null> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let finished = false;
  try {
    while (!finished) {
      // Each read races the deadline: aborting the request alone may not end a read that waits.
      const { done, value } = await within(deadline, reader.read());
      finished = done;
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) return null;
      chunks.push(value);
    }
  } finally {
    // Hang up on whatever is left unread (a cut answer, a drip); the cancel is not waited for.
    if (!finished) reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * fetch refuses URLs with `user:pass@` (and would put them in its error text); like curl, send them
 * as basic auth instead. A configured `Authorization` header wins.
 */
function moveCredentials(raw: string): { url: string; authorization: string | null } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { url: raw, authorization: null };
  }
  if (!url.username && !url.password) return { url: raw, authorization: null };
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  return { url: url.toString(), authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}

/** fetch-based client: one deadline covers connect, headers and body; errors come back classified. */
export const fetchHttpClient: HttpClient = {
  async request(rawUrl, init) {
    const deadline = startDeadline(init.timeoutMs);
    try {
      return await requestWithin(rawUrl, init, deadline);
    } finally {
      deadline.clear();
    }
  },
};

async function requestWithin(
  rawUrl: string,
  init: HttpRequest,
  deadline: Deadline,
): Promise<HttpResult> {
  const { url, authorization } = moveCredentials(rawUrl);
  const started = performance.now();
  const latency = (): number => Math.round(performance.now() - started);
  let res: Response;
  try {
    res = await within(
      deadline,
      fetch(url, {
        method: init.method ?? 'GET',
        headers: {
          accept: 'application/json',
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(authorization ? { authorization } : {}),
          ...init.headers,
        },
        body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
        signal: deadline.signal,
        redirect: 'error',
      }),
    );
  } catch (err) {
    return { ok: false, status: null, ...classify(err), latencyMs: latency() };
  }
  let text: string | null;
  try {
    text = await readLimited(res, init.maxBytes ?? 8 * 1024 * 1024, deadline);
  } catch (err) {
    return { ok: false, status: res.status, ...classify(err), latencyMs: latency() };
  }
  if (text === null)
    return {
      ok: false,
      status: res.status,
      errorClass: 'invalid_response',
      reason: 'answer too large',
      latencyMs: latency(),
    };
  if (res.status === 401 || res.status === 403) {
    return {
      ok: false,
      status: res.status,
      errorClass: 'auth_required',
      reason: `HTTP ${res.status}: the server wants credentials (set \`headers\` on the endpoint)`,
      latencyMs: latency(),
      text,
    };
  }
  if (res.status < 200 || res.status >= 300) {
    return {
      ok: false,
      status: res.status,
      errorClass: 'http_error',
      reason: `HTTP ${res.status}`,
      latencyMs: latency(),
      text,
    };
  }
  let json: unknown;
  try {
    json = parseJsonSafe(text);
  } catch {
    if (init.expect === 'any')
      return { ok: true, status: res.status, json: null, text, latencyMs: latency() };
    return {
      ok: false,
      status: res.status,
      errorClass: 'invalid_response',
      reason: 'answer is not JSON',
      latencyMs: latency(),
      text,
    };
  }
  const error = errorBody(json);
  if (error !== null)
    return {
      ok: false,
      status: res.status,
      errorClass: 'http_error',
      reason: `HTTP ${res.status} with an error: ${error}`,
      latencyMs: latency(),
      text,
    };
  return { ok: true, status: res.status, json, text, latencyMs: latency() };
}

/**
 * The message of a 2xx answer that is an error all the same: LM Studio answers every route it does
 * not have with HTTP 200 and `{"error":"Unexpected endpoint or method. (GET /api/v0/models)"}`
 * (lmstudio-ai/lmstudio-bug-tracker#618). Null for a real answer: an object with data beside the
 * error (`data`, `models`) is read as data.
 */
export function errorBody(json: unknown): string | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const body = json as Record<string, unknown>;
  if (
    !('error' in body) ||
    body.error === null ||
    body.error === undefined ||
    'data' in body ||
    'models' in body
  )
    return null;
  const error = body.error as unknown;
  if (typeof error === 'string') return error.slice(0, 200);
  const message = (error as { message?: unknown })?.message;
  return typeof message === 'string' ? message.slice(0, 200) : JSON.stringify(error).slice(0, 200);
}

/** A failed call that says the route does not exist here: a 404, or a 2xx whose body is an error. */
export function isMissingRoute(res: HttpResult): boolean {
  return (
    !res.ok &&
    res.status !== null &&
    (res.status === 404 || (res.status >= 200 && res.status < 300))
  );
}
