// What each sandbox backend answers, modelled on the real servers' answers (sources cited per
// route). A route handler returns [status, body] (a string body is sent as text), or null: not mine.

/** The parts of a sandbox model server the routes read. */
export interface BackendState {
  models: string[];
  loaded: string[];
  contextLength: number;
  slots: number;
  embeddings: string[];
  /** Requests in flight (vLLM `num_requests_running`; llama.cpp busy slots). */
  running: number;
  /** Requests queued (vLLM `num_requests_waiting`; llama.cpp `requests_deferred`). */
  waiting: number;
  slotsEndpoint: boolean;
  metricsEndpoint: boolean;
  ollamaTagsCapabilities: boolean;
  lmStudioNativeApi: boolean;
}

export type Answer = [number, unknown] | null;

/** Prometheus text of gauges, as the servers expose them. */
function gaugeText(
  gauges: Array<[name: string, help: string, labels: string, value: number]>,
): string {
  return gauges
    .map(
      ([name, help, labels, value]) =>
        `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name}${labels} ${value}\n`,
    )
    .join('');
}

/**
 * LM Studio: the native `/api/v0/models` (0.3.6 and later). Any route it lacks — in every version —
 * answers HTTP 200 and `{"error":"Unexpected endpoint or method. (GET /path)"}`
 * (lmstudio-ai/lmstudio-bug-tracker#618).
 */
export function lmStudioRoute(
  s: BackendState,
  method: string,
  path: string,
  models: string[],
  loaded: string[],
): Answer {
  if (s.lmStudioNativeApi && method === 'GET' && path === '/api/v0/models') {
    return [
      200,
      {
        object: 'list',
        data: models.map((id) => ({
          id,
          object: 'model',
          type: s.embeddings.includes(id) ? 'embeddings' : 'llm',
          publisher: 'sandbox',
          state: loaded.includes(id) ? 'loaded' : 'not-loaded',
          max_context_length: s.contextLength,
        })),
      },
    ];
  }
  return [200, { error: `Unexpected endpoint or method. (${method} ${path})` }];
}

/**
 * Ollama (docs/api.md): `/api/tags` entries carry `capabilities` on recent versions
 * (`["embedding"]` for an embedding model), `/api/show` always does. `/v1/models` with nothing
 * pulled is `{"object":"list","data":null}` (openai/openai.go ToListCompletion).
 */
export function ollamaRoute(
  s: BackendState,
  method: string,
  path: string,
  body: unknown,
  models: string[],
  loaded: string[],
): Answer {
  const capabilities = (name: string): string[] =>
    s.embeddings.includes(name) ? ['embedding'] : ['completion'];
  if (method === 'GET' && path === '/') return [200, 'Ollama is running'];
  if (method === 'GET' && path === '/v1/models') {
    return [
      200,
      {
        object: 'list',
        data:
          models.length === 0
            ? null
            : models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'library' })),
      },
    ];
  }
  if (method === 'GET' && path === '/api/tags') {
    return [
      200,
      {
        models: models.map((name) => ({
          name,
          model: name,
          size: 1,
          details: { family: 'llama' },
          ...(s.ollamaTagsCapabilities ? { capabilities: capabilities(name) } : {}),
        })),
      },
    ];
  }
  if (method === 'GET' && path === '/api/ps') {
    return [
      200,
      {
        models: loaded.map((name) => ({
          name,
          model: name,
          size: 1,
          size_vram: 1,
          expires_at: '2099-01-01T00:00:00Z',
          context_length: s.contextLength,
        })),
      },
    ];
  }
  if (method === 'GET' && path === '/api/version') return [200, { version: '0.0.0-sandbox' }];
  if (method === 'POST' && path === '/api/show') {
    const request = body as { model?: string; name?: string } | string;
    const name =
      typeof request === 'object' && request !== null ? (request.model ?? request.name) : undefined;
    if (!name || !models.includes(name)) return [404, { error: `model '${name ?? ''}' not found` }];
    // The trained maximum (the loaded context in /api/ps may be smaller).
    return [
      200,
      {
        details: { family: 'llama' },
        model_info: {
          'general.architecture': 'llama',
          'llama.context_length': s.contextLength * 4,
        },
        capabilities: capabilities(name),
      },
    ];
  }
  return null;
}

/** llama.cpp's routes that `--api-key` leaves open, and that answer while the model loads (2025 builds). */
export const LLAMACPP_PUBLIC = new Set([
  '/health',
  '/v1/health',
  '/models',
  '/v1/models',
  '/api/tags',
]);
export const LLAMACPP_MODEL_LISTS = new Set(['/models', '/v1/models', '/api/tags']);

/** llama.cpp's error body (tools/server/utils.hpp format_error_response). */
export function llamaCppError(code: number, message: string, type: string): [number, unknown] {
  return [code, { error: { code, message, type } }];
}

/**
 * llama.cpp's llama-server (tools/server/server.cpp): `/v1/models` lists the one model `owned_by:
 * "llamacpp"` with `meta` (null until the model is loaded), `/slots` (501 when started with
 * `--no-slots`), `/metrics` (501 unless started with `--metrics`).
 */
export function llamaCppRoute(
  s: BackendState,
  method: string,
  path: string,
  models: string[],
  loading: boolean,
): Answer {
  const model = models[0];
  if (method === 'GET' && (path === '/v1/models' || path === '/models')) {
    const meta = loading
      ? null
      : {
          vocab_type: 2,
          n_vocab: 151936,
          n_ctx_train: s.contextLength * 4,
          n_embd: 3584,
          n_params: 7615616512,
          size: 4683073536,
        };
    return [
      200,
      {
        object: 'list',
        data: model ? [{ id: model, object: 'model', created: 0, owned_by: 'llamacpp', meta }] : [],
      },
    ];
  }
  if (method === 'GET' && path === '/api/tags')
    return [
      200,
      {
        models: model
          ? [
              {
                name: model,
                model,
                modified_at: '',
                size: '',
                digest: '',
                type: 'model',
                capabilities: ['completion'],
              },
            ]
          : [],
      },
    ];
  if (method === 'GET' && path === '/health') return [200, { status: 'ok' }];
  if (method === 'GET' && path === '/props') {
    return [
      200,
      {
        default_generation_settings: { n_ctx: s.contextLength, params: { n_predict: -1 } },
        total_slots: s.slots,
        model_path: model ? `/models/${model}` : '',
        chat_template: '',
      },
    ];
  }
  if (method === 'GET' && path === '/slots') {
    if (!s.slotsEndpoint)
      return llamaCppError(
        501,
        'This server does not support slots endpoint. Start it with `--slots`',
        'not_supported_error',
      );
    return [
      200,
      Array.from({ length: s.slots }, (_, id) => ({
        id,
        id_task: -1,
        n_ctx: s.contextLength,
        speculative: false,
        is_processing: id < s.running,
      })),
    ];
  }
  if (method === 'GET' && path === '/metrics') {
    if (!s.metricsEndpoint)
      return llamaCppError(
        501,
        'This server does not support metrics endpoint. Start it with `--metrics`',
        'not_supported_error',
      );
    return [
      200,
      gaugeText([
        [
          'llamacpp:requests_processing',
          'Number of requests processing.',
          '',
          Math.min(s.running, s.slots),
        ],
        ['llamacpp:requests_deferred', 'Number of requests deferred.', '', s.waiting],
      ]),
    ];
  }
  return null;
}

/** vLLM: `/health` answers 200 with an empty body; `/metrics` in the Prometheus text format. */
export function vllmRoute(s: BackendState, method: string, path: string, models: string[]): Answer {
  if (method === 'GET' && path === '/health') return [200, ''];
  if (method === 'GET' && path === '/metrics') {
    const labels = `{engine="0",model_name="${models[0] ?? 'none'}"}`;
    return [
      200,
      gaugeText([
        [
          'vllm:num_requests_running',
          'Number of requests in model execution batches.',
          labels,
          s.running,
        ],
        [
          'vllm:num_requests_waiting',
          'Number of requests waiting to be processed.',
          labels,
          s.waiting,
        ],
      ]),
    ];
  }
  return null;
}
