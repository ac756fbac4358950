// A real loopback model server speaking just enough of each backend's API for probes, scans and lanes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ServerKind = 'openai' | 'lmstudio' | 'ollama' | 'llamacpp' | 'vllm';
/** `loading`: llama.cpp-style 503 while a model loads; `hang`: accept and never answer. */
export type ServerBehavior = 'ok' | 'slow' | 'fail' | 'invalid_json' | 'loading' | 'hang' | 'no_models';

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
}

export interface RequestLog {
  method: string;
  path: string;
  at: number;
}

export class ModelServer {
  readonly kind: ServerKind;
  behavior: ServerBehavior;
  models: string[];
  loaded: string[];
  contextLength: number;
  slots: number;
  delayMs: number;
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
    this.requests.push({ method: req.method ?? 'GET', path, at: Date.now() });
    const body = await readBody(req);
    if (this.behavior === 'hang') {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if (this.behavior === 'slow') await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.behavior === 'fail') return send(res, 500, { error: 'internal error (sandbox)' });
    if (this.behavior === 'invalid_json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data": [ this is not json');
      return;
    }
    if (this.behavior === 'loading') {
      if (this.kind === 'llamacpp') return send(res, 503, { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } });
      return send(res, 503, { error: 'loading' });
    }
    const answer = this.route(req.method ?? 'GET', path, body);
    if (answer) return send(res, answer[0], answer[1]);
    send(res, 404, { error: `no route ${req.method} ${path}` });
  }

  private visibleModels(): string[] {
    return this.behavior === 'no_models' ? [] : this.models;
  }

  private route(method: string, path: string, body: string): [number, unknown] | null {
    const models = this.visibleModels();
    const loaded = this.behavior === 'no_models' ? [] : this.loaded;
    if (method === 'GET' && path === '/v1/models') {
      return [200, { object: 'list', data: models.map((id) => ({ id, object: 'model', owned_by: 'sandbox', ...(this.kind === 'vllm' ? { max_model_len: this.contextLength } : {}) })) }];
    }
    if (method === 'POST' && path === '/v1/chat/completions') {
      this.completions++;
      let maxTokens = 16;
      try {
        maxTokens = Number((JSON.parse(body) as { max_tokens?: number }).max_tokens ?? 16);
      } catch {
        return [400, { error: 'invalid JSON body' }];
      }
      const completion = Math.max(1, Math.min(maxTokens, 8));
      return [200, { id: 'cmpl-sandbox', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: completion, total_tokens: 5 + completion } }];
    }
    if (this.kind === 'lmstudio' && method === 'GET' && path === '/api/v0/models') {
      return [200, { object: 'list', data: models.map((id) => ({ id, object: 'model', type: 'llm', state: loaded.includes(id) ? 'loaded' : 'not-loaded', max_context_length: this.contextLength })) }];
    }
    if (this.kind === 'ollama') {
      if (method === 'GET' && path === '/api/tags') return [200, { models: models.map((name) => ({ name, model: name, size: 1 })) }];
      if (method === 'GET' && path === '/api/ps') return [200, { models: loaded.map((name) => ({ name, model: name, size_vram: 1 })) }];
      if (method === 'GET' && path === '/api/version') return [200, { version: '0.0.0-sandbox' }];
      if (method === 'POST' && path === '/api/show') return [200, { model_info: { 'general.architecture': 'llama', 'llama.context_length': this.contextLength } }];
    }
    if (this.kind === 'llamacpp') {
      if (method === 'GET' && path === '/health') return [200, { status: 'ok' }];
      if (method === 'GET' && path === '/props') return [200, { default_generation_settings: { n_ctx: this.contextLength }, total_slots: this.slots, model_path: models[0] ?? '' }];
      if (method === 'GET' && path === '/slots') return [200, Array.from({ length: this.slots }, (_, id) => ({ id, is_processing: false }))];
    }
    if (this.kind === 'vllm' && method === 'GET' && path === '/health') return [200, ''];
    return null;
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
  res.writeHead(status, { 'content-type': 'application/json' });
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
