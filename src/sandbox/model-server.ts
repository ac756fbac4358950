// A real loopback model server speaking just enough of each backend's API for probes, scans and lanes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  LLAMACPP_MODEL_LISTS,
  LLAMACPP_PUBLIC,
  llamaCppError,
  llamaCppRoute,
  lmStudioRoute,
  ollamaRoute,
  vllmRoute,
  type BackendState,
} from './backend-routes.js';

export type ServerKind = 'openai' | 'lmstudio' | 'ollama' | 'llamacpp' | 'vllm';
/**
 * `loading`: 503 while a model loads (llama.cpp's "Loading model"); `hang`: accept and never answer;
 * `not_found`: 404, as a server of another kind or an older version without the route answers.
 */
export type ServerBehavior =
  'ok' | 'slow' | 'fail' | 'invalid_json' | 'loading' | 'hang' | 'no_models' | 'not_found';

export interface ModelServerOptions {
  kind?: ServerKind;
  models?: string[];
  /** Models loaded in memory (defaults to all). */
  loaded?: string[];
  contextLength?: number;
  /** Parallel slots (llama.cpp `total_slots`). */
  slots?: number;
  behavior?: ServerBehavior;
  /** Delay of every answer in `slow` mode. */
  delayMs?: number;
  /** Behavior of single paths (e.g. `{"/props": "fail"}`), over `behavior`. */
  pathBehavior?: Record<string, ServerBehavior>;
  /** LM Studio: models that are embedding models (`type: "embeddings"` in /api/v0/models). */
  embeddings?: string[];
  /** Completions for a model the server does not list answer 404 (default: any model is served). */
  strictModels?: boolean;
  /** llama.cpp `--api-key`: every route but the public ones answers 401 without this bearer token. */
  apiKey?: string;
  /** Requests in flight (vLLM `/metrics`, llama.cpp busy slots and `/metrics`). */
  running?: number;
  /** Requests waiting (vLLM `/metrics`, llama.cpp `requests_deferred`). */
  waiting?: number;
  /** llama.cpp: `/slots` enabled (default true; `--no-slots` answers 501). */
  slotsEndpoint?: boolean;
  /** llama.cpp: `/metrics` enabled (default false, as without `--metrics`). */
  metricsEndpoint?: boolean;
  /** Ollama: `/api/tags` entries carry `capabilities` (recent versions; default true). */
  ollamaTagsCapabilities?: boolean;
  /** LM Studio: has the native `/api/v0` (0.3.6 and later; default true). */
  lmStudioNativeApi?: boolean;
  /** llama.cpp loading: the 2025 builds' model lists answer while loading (default true). */
  modelListWhileLoading?: boolean;
}

export interface RequestLog {
  method: string;
  path: string;
  at: number;
  /** Order of arrival across every sandbox server of this process. */
  seq: number;
  /** Parsed JSON body (or the raw text) of a request that had one. */
  body?: unknown;
  /** For a request left hanging: the order (same counter as `seq`) at which the client gave up. */
  closedSeq?: number;
}

let sequence = 0;
/** Next number of the process-wide event order shared by all sandbox model servers. */
export function nextSeq(): number {
  return ++sequence;
}

export class ModelServer implements BackendState {
  readonly kind: ServerKind;
  behavior: ServerBehavior;
  models: string[];
  loaded: string[];
  contextLength: number;
  slots: number;
  delayMs: number;
  pathBehavior: Record<string, ServerBehavior>;
  embeddings: string[];
  strictModels: boolean;
  apiKey: string | null;
  running: number;
  waiting: number;
  slotsEndpoint: boolean;
  metricsEndpoint: boolean;
  ollamaTagsCapabilities: boolean;
  lmStudioNativeApi: boolean;
  modelListWhileLoading: boolean;
  readonly requests: RequestLog[] = [];
  completions = 0;
  private server: Server | null = null;
  private port = 0;
  private readonly hanging = new Set<ServerResponse>();

  constructor(options: ModelServerOptions = {}) {
    this.kind = options.kind ?? 'openai';
    this.behavior = options.behavior ?? 'ok';
    this.models = options.models ?? ['sandbox-model-7b'];
    this.loaded = options.loaded ?? [...this.models];
    this.contextLength = options.contextLength ?? 8192;
    this.slots = options.slots ?? 2;
    this.delayMs = options.delayMs ?? 1500;
    this.pathBehavior = { ...options.pathBehavior };
    this.embeddings = options.embeddings ?? [];
    this.strictModels = options.strictModels ?? false;
    this.apiKey = options.apiKey ?? null;
    this.running = options.running ?? 0;
    this.waiting = options.waiting ?? 0;
    this.slotsEndpoint = options.slotsEndpoint ?? true;
    this.metricsEndpoint = options.metricsEndpoint ?? false;
    this.ollamaTagsCapabilities = options.ollamaTagsCapabilities ?? true;
    this.lmStudioNativeApi = options.lmStudioNativeApi ?? true;
    this.modelListWhileLoading = options.modelListWhileLoading ?? true;
  }

  /** Requests for one path (e.g. `/v1/chat/completions`). */
  requestsTo(path: string): RequestLog[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Root URL (`http://127.0.0.1:PORT`). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** OpenAI-style base URL, as lanes and the fleet config use it. */
  get baseUrl(): string {
    return `${this.url}/v1`;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const log: RequestLog = { method: req.method ?? 'GET', path, at: Date.now(), seq: nextSeq() };
    this.requests.push(log);
    const body = await readBody(req);
    if (body !== '') log.body = parseOr(body);
    const behavior = this.pathBehavior[path] ?? this.behavior;
    if (behavior === 'hang') {
      this.hanging.add(res);
      res.on('close', () => {
        this.hanging.delete(res);
        if (!res.writableEnded) log.closedSeq = nextSeq();
      });
      return;
    }
    if (behavior === 'slow') await new Promise((r) => setTimeout(r, this.delayMs));
    if (behavior === 'fail') return send(res, 500, { error: 'internal error (sandbox)' });
    if (behavior === 'not_found')
      return send(res, 404, { error: `no route ${req.method} ${path}` });
    if (behavior === 'invalid_json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data": [ this is not json');
      return;
    }
    const method = req.method ?? 'GET';
    if (this.kind === 'llamacpp') {
      // Loading is checked before the API key, as llama-server's pre-routing handler does.
      const loading = behavior === 'loading';
      if (loading && !(this.modelListWhileLoading && LLAMACPP_MODEL_LISTS.has(path))) {
        const [status, error] = llamaCppError(503, 'Loading model', 'unavailable_error');
        return send(res, status, error);
      }
      if (
        this.apiKey !== null &&
        !LLAMACPP_PUBLIC.has(path) &&
        req.headers.authorization !== `Bearer ${this.apiKey}`
      ) {
        const [status, error] = llamaCppError(401, 'Invalid API Key', 'authentication_error');
        return send(res, status, error);
      }
      const answer =
        method === 'POST' && path === '/v1/chat/completions'
          ? this.complete(body, this.visibleModels())
          : llamaCppRoute(this, method, path, this.visibleModels(), loading);
      return answer
        ? send(res, answer[0], answer[1])
        : send(res, ...llamaCppError(404, 'File Not Found', 'not_found_error'));
    }
    if (behavior === 'loading') return send(res, 503, { error: 'loading' });
    const answer = this.route(method, path, body);
    if (answer) return send(res, answer[0], answer[1]);
    send(res, 404, { error: `no route ${req.method} ${path}` });
  }

  private visibleModels(): string[] {
    return this.behavior === 'no_models' ? [] : this.models;
  }

  private route(method: string, path: string, body: string): [number, unknown] | null {
    const models = this.visibleModels();
    const loaded = this.behavior === 'no_models' ? [] : this.loaded;
    if (method === 'POST' && path === '/v1/chat/completions') return this.complete(body, models);
    if (this.kind === 'ollama')
      return ollamaRoute(this, method, path, parseOr(body), models, loaded);
    if (this.kind === 'vllm') {
      const answer = vllmRoute(this, method, path, models);
      if (answer) return answer;
    }
    if (method === 'GET' && path === '/v1/models') {
      const owner = this.kind === 'vllm' ? 'vllm' : 'sandbox';
      return [
        200,
        {
          object: 'list',
          data: models.map((id) => ({
            id,
            object: 'model',
            owned_by: owner,
            ...(this.kind === 'vllm' ? { root: id, max_model_len: this.contextLength } : {}),
          })),
        },
      ];
    }
    if (this.kind === 'lmstudio') return lmStudioRoute(this, method, path, models, loaded);
    return null;
  }

  private complete(body: string, models: string[]): [number, unknown] {
    this.completions++;
    let request: { max_tokens?: number; model?: string };
    try {
      request = JSON.parse(body) as typeof request;
    } catch {
      return [400, { error: 'invalid JSON body' }];
    }
    if (this.strictModels && !models.includes(request.model ?? '')) {
      return [
        404,
        { error: { message: `model "${request.model}" not found`, type: 'invalid_request_error' } },
      ];
    }
    const completion = Math.max(1, Math.min(Number(request.max_tokens ?? 16), 8));
    return [
      200,
      {
        id: 'cmpl-sandbox',
        object: 'chat.completion',
        model: request.model,
        choices: [
          { index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'length' },
        ],
        usage: { prompt_tokens: 5, completion_tokens: completion, total_tokens: 5 + completion },
      },
    ];
  }
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
  });
  res.end(text);
}

/** A URL on which nothing listens (connection refused), for dead endpoints. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}
