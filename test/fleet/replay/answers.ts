import { json, type Recorded, type ReplayTable } from './server.js';

// Real servers' answers, kept verbatim. Where each comes from is said beside it.

const notFound = (): Recorded => json(404, '404 page not found');

/**
 * LM Studio before 0.3.6: no `/api/v0`; any route it lacks answers HTTP 200 with an error body
 * (lmstudio-ai/lmstudio-bug-tracker#618: `{"error":"Unexpected endpoint or method. (POST
 * /chat/completions)"}`, and its log line "Unexpected endpoint or method. (GET /api/v0/models).
 * Returning 200 anyway"). `/v1/models` entries are `owned_by: "organization_owner"`.
 */
export const lmStudioBefore036: ReplayTable = {
  routes: {
    'GET /v1/models': json(
      200,
      '{\n  "data": [\n    {\n      "id": "qwen2.5-7b-instruct",\n      "object": "model",\n      "owned_by": "organization_owner"\n    },\n    {\n      "id": "text-embedding-nomic-embed-text-v1.5",\n      "object": "model",\n      "owned_by": "organization_owner"\n    }\n  ],\n  "object": "list"\n}',
    ),
  },
  fallback: (method, path) =>
    json(200, `{"error":"Unexpected endpoint or method. (${method} ${path})"}`),
};

/**
 * Ollama with nothing pulled. `/v1/models`: openai/openai.go ToListCompletion builds `var data
 * []Model` and appends nothing, so Go encodes it as null. `/api/tags` and `/api/ps`: server/routes.go
 * start from an empty slice, so `[]`. Unknown routes: Gin's plain-text 404.
 */
export const ollamaNothingPulled: ReplayTable = {
  routes: {
    'GET /v1/models': json(200, '{"object":"list","data":null}'),
    'GET /api/tags': json(200, '{"models":[]}'),
    'GET /api/ps': json(200, '{"models":[]}'),
    'GET /': { status: 200, body: 'Ollama is running', contentType: 'text/plain; charset=utf-8' },
  },
  fallback: notFound,
};

const nomicTag =
  '{"name":"nomic-embed-text:latest","model":"nomic-embed-text:latest","modified_at":"2025-06-02T10:11:12.123456789Z","size":274302450,"digest":"0a109f422b47e3a30ba2b10eca18548e944e8a23073ee3f3e947efcf3c45e59f","details":{"parent_model":"","format":"gguf","family":"nomic-bert","families":["nomic-bert"],"parameter_size":"137M","quantization_level":"F16"}';
const nomicShow =
  '{"license":"Apache License","modelfile":"FROM nomic-embed-text","parameters":"num_ctx                        8192","template":"{{ .Prompt }}","details":{"parent_model":"","format":"gguf","family":"nomic-bert","families":["nomic-bert"],"parameter_size":"137M","quantization_level":"F16"},"model_info":{"general.architecture":"nomic-bert","nomic-bert.context_length":2048},"capabilities":["embedding"],"modified_at":"2025-06-02T10:11:12.123456789Z"}';

/**
 * Ollama holding only an embedding model. `capabilities: ["embedding"]` in `POST /api/show`
 * (docs/api.md "Show Model Information"), and on recent versions in the `/api/tags` entries too.
 */
export function ollamaOnlyEmbeddings(tagsCarryCapabilities: boolean): ReplayTable {
  return {
    routes: {
      'GET /api/tags': json(
        200,
        `{"models":[${nomicTag}${tagsCarryCapabilities ? ',"capabilities":["embedding"]' : ''}}]}`,
      ),
      'GET /api/ps': json(200, '{"models":[]}'),
      'POST /api/show': json(200, nomicShow),
      'GET /v1/models': json(
        200,
        '{"object":"list","data":[{"id":"nomic-embed-text:latest","object":"model","created":1748859072,"owned_by":"library"}]}',
      ),
    },
    fallback: notFound,
  };
}

const llamaModels = (meta: string) =>
  `{"models":[{"name":"qwen2.5-7b-instruct-q4_k_m.gguf","model":"qwen2.5-7b-instruct-q4_k_m.gguf","modified_at":"","size":"","digest":"","type":"model","description":"","tags":[""],"capabilities":["completion"],"parameters":"","details":{"parent_model":"","format":"gguf","family":"","families":[""],"parameter_size":"","quantization_level":""}}],"object":"list","data":[{"id":"qwen2.5-7b-instruct-q4_k_m.gguf","object":"model","created":1748859072,"owned_by":"llamacpp","meta":${meta}}]}`;
const llamaMeta =
  '{"vocab_type":2,"n_vocab":152064,"n_ctx_train":32768,"n_embd":3584,"n_params":7615616512,"size":4677120000}';
const llamaProps =
  '{"default_generation_settings":{"id":0,"id_task":-1,"n_ctx":8192,"speculative":false,"is_processing":false,"params":{"n_predict":-1}},"total_slots":2,"model_path":"/models/qwen2.5-7b-instruct-q4_k_m.gguf","chat_template":"","build_info":"b5460-a1b2c3d"}';
/** tools/server/utils.hpp format_error_response, as the server sends it. */
const llamaError = (code: number, message: string, type: string): Recorded =>
  json(code, `{"error":{"code":${code},"message":"${message}","type":"${type}"}}`);

/**
 * llama.cpp started with `--api-key`: tools/server/server.cpp `middleware_validate_api_key` lets
 * `/health`, `/v1/health`, `/models`, `/v1/models` and `/api/tags` through and answers any other
 * route 401 "Invalid API Key". `/v1/models` is `handle_models`: the Ollama-style `models` list and
 * the OpenAI-style `data` list, `owned_by: "llamacpp"`.
 */
export function llamaCppWithApiKey(token: string): ReplayTable {
  const list = json(200, llamaModels(llamaMeta));
  return {
    routes: {
      'GET /health': json(200, '{"status":"ok"}'),
      'GET /v1/models': list,
      'GET /models': list,
      'GET /api/tags': list,
      'GET /props': json(200, llamaProps),
    },
    fallback: () => llamaError(404, 'File Not Found', 'not_found_error'),
    auth: {
      token,
      publicPaths: ['/health', '/v1/health', '/models', '/v1/models', '/api/tags'],
      refusal: llamaError(401, 'Invalid API Key', 'authentication_error'),
    },
  };
}

/**
 * llama.cpp loading its model, 2025 builds: `middleware_server_state` answers 503 "Loading model"
 * on every route except `/models`, `/v1/models` and `/api/tags` ("allow the models endpoint to be
 * accessed during loading"), and `handle_models` sends `meta: null` until the server is ready.
 */
export const llamaCppLoading2025: ReplayTable = {
  routes: {
    'GET /v1/models': json(200, llamaModels('null')),
    'GET /models': json(200, llamaModels('null')),
    'GET /api/tags': json(200, llamaModels('null')),
  },
  fallback: () => llamaError(503, 'Loading model', 'unavailable_error'),
};
