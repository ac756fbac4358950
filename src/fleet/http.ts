import type { IncomingMessage } from 'node:http';
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
  const e = err as {
    name?: string;
    code?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return { errorClass: 'timeout', reason: 'timed out' };
  const code = e?.code ?? e?.cause?.code;
  if (code === 'ECONNREFUSED') return { errorClass: 'refused', reason: 'connection refused' };
  return {
    errorClass: 'refused',
    reason: `connection failed: ${code ?? e?.cause?.message ?? e?.message ?? String(err)}`,
  };
}

/**
 * URLs with `user:pass@` are sent as basic auth, as curl does (and never put in an error text). A
 * configured `Authorization` header wins.
 */
function moveCredentials(url: URL): string | null {
  if (!url.username && !url.password) return null;
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  return `Basic ${Buffer.from(pair).toString('base64')}`;
}

/** A redirect is not followed: a probe names the endpoint's own URL (fetch's `redirect: 'error'`). */
class RedirectError extends Error {
  constructor() {
    super('unexpected redirect');
  }
}

/**
 * The answer's status, and its body as text; null when it is larger than `maxBytes` (the rest is
 * not read). The request and every read end when the deadline does.
 */
async function exchange(
  url: URL,
  init: HttpRequest,
  headers: Record<string, string>,
  deadline: Deadline,
): Promise<{ status: number; read: () => Promise<string | null> }> {
  const body = init.body !== undefined ? JSON.stringify(init.body) : undefined;
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  // node:https (and TLS) is loaded only for an endpoint that uses it.
  const { request } =
    url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const req = request(url, { method: init.method ?? 'GET', headers, signal: deadline.signal });
  const res = await within(
    deadline,
    new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', reject);
      req.end(body);
    }),
  );
  const status = res.statusCode ?? 0;
  if (status >= 300 && status < 400 && res.headers.location !== undefined) {
    res.destroy();
    throw new RedirectError();
  }
  const maxBytes = init.maxBytes ?? 8 * 1024 * 1024;
  const read = (): Promise<string | null> => {
    const chunks: Buffer[] = [];
    let size = 0;
    const body = new Promise<string | null>((resolve, reject) => {
      res.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        // Hang up on whatever is left unread (a cut answer).
        if (size > maxBytes) {
          res.destroy();
          return resolve(null);
        }
        chunks.push(chunk);
      });
      res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.once('error', reject);
      res.once('close', () => {
        if (!res.complete && size <= maxBytes) reject(new Error('connection closed mid-answer'));
      });
    });
    // A drip that outlasts the deadline is cut when it expires.
    return within(deadline, body).finally(() => {
      if (!res.complete) res.destroy();
    });
  };
  return { status, read };
}

/**
 * The probers' HTTP client, on node:http: one deadline covers connect, headers and body; errors come
 * back classified. (Not fetch: fetch's implementation alone added about 11 MB to serve's resident
 * memory, for the few calls a probe round makes.)
 */
export const nodeHttpClient: HttpClient = {
  async request(rawUrl, init) {
    const deadline = startDeadline(init.timeoutMs);
    try {
      return await requestWithin(rawUrl, init, deadline);
    } finally {
      deadline.clear();
    }
  },
};

/** The name callers know the client by (it was fetch-based). */
export const fetchHttpClient = nodeHttpClient;

async function requestWithin(
  rawUrl: string,
  init: HttpRequest,
  deadline: Deadline,
): Promise<HttpResult> {
  const started = performance.now();
  const latency = (): number => Math.round(performance.now() - started);
  let answer: Awaited<ReturnType<typeof exchange>>;
  try {
    const url = new URL(rawUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`unsupported protocol ${url.protocol}`);
    const authorization = moveCredentials(url);
    answer = await exchange(
      url,
      init,
      {
        accept: 'application/json',
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(authorization ? { authorization } : {}),
        ...init.headers,
      },
      deadline,
    );
  } catch (err) {
    return { ok: false, status: null, ...classify(err), latencyMs: latency() };
  }
  const { status } = answer;
  let text: string | null;
  try {
    text = await answer.read();
  } catch (err) {
    return { ok: false, status, ...classify(err), latencyMs: latency() };
  }
  if (text === null)
    return {
      ok: false,
      status,
      errorClass: 'invalid_response',
      reason: 'answer too large',
      latencyMs: latency(),
    };
  if (status === 401 || status === 403) {
    return {
      ok: false,
      status,
      errorClass: 'auth_required',
      reason: `HTTP ${status}: the server wants credentials (set \`headers\` on the endpoint)`,
      latencyMs: latency(),
      text,
    };
  }
  if (status < 200 || status >= 300) {
    return {
      ok: false,
      status,
      errorClass: 'http_error',
      reason: `HTTP ${status}`,
      latencyMs: latency(),
      text,
    };
  }
  let json: unknown;
  try {
    json = parseJsonSafe(text);
  } catch {
    if (init.expect === 'any') return { ok: true, status, json: null, text, latencyMs: latency() };
    return {
      ok: false,
      status,
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
      status,
      errorClass: 'http_error',
      reason: `HTTP ${status} with an error: ${error}`,
      latencyMs: latency(),
      text,
    };
  return { ok: true, status, json, text, latencyMs: latency() };
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
