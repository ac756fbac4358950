import { describe, expect, it } from 'vitest';
import type { EndpointKind } from '../../src/domain/types.js';
import { probeEndpoint } from '../../src/fleet/probe-endpoint.js';
import { deadUrl, type ServerBehavior, type ServerKind } from '../../src/sandbox/model-server.js';
import { endpoint, paths, probeContext, startServer } from './helpers.js';

const KINDS: ServerKind[] = ['openai', 'lmstudio', 'ollama', 'llamacpp', 'vllm'];

async function probe(kind: EndpointKind, baseUrl: string, extra: Record<string, unknown> = {}) {
  return probeEndpoint(endpoint({ id: 'e1', base_url: baseUrl, kind, ...extra }), probeContext());
}

describe.each(KINDS)('%s prober against a sandbox server of its kind', (kind) => {
  it('is up and ready when the server lists models, and records the kind probed', async () => {
    const server = await startServer({
      kind,
      models: ['alpha-7b', 'beta-3b'],
      loaded: ['alpha-7b'],
    });
    const result = await probe(kind, server.baseUrl);
    expect(result).toMatchObject({
      endpointId: 'e1',
      kind,
      state: 'up',
      up: true,
      ready: true,
      errorClass: null,
      tokens: 0,
    });
    expect(result.latencyMs).toEqual(expect.any(Number));
    expect(result.reason).not.toBe('');
    // llama.cpp serves one model: the one in /props.
    expect(result.models).toEqual(kind === 'llamacpp' ? ['alpha-7b'] : ['alpha-7b', 'beta-3b']);
    const loaded = {
      openai: null,
      lmstudio: ['alpha-7b'],
      ollama: ['alpha-7b'],
      llamacpp: ['alpha-7b'],
      vllm: ['alpha-7b', 'beta-3b'],
    }[kind];
    expect(result.loadedModels).toEqual(loaded);
  });

  it('is up but not ready, with error class no_models, when no model is available', async () => {
    const server = await startServer({ kind, behavior: 'no_models' });
    const result = await probe(kind, server.baseUrl);
    expect(result).toMatchObject({
      state: 'up',
      up: true,
      ready: false,
      errorClass: 'no_models',
      models: [],
    });
    expect(result.reason).toMatch(/no model/);
  });

  it.each<[ServerBehavior, string]>([
    ['fail', 'http_error'],
    ['invalid_json', 'invalid_response'],
    ['not_found', 'http_error'],
  ])('is down when the server answers %s (%s)', async (behavior, errorClass) => {
    const server = await startServer({ kind, behavior });
    const result = await probe(kind, server.baseUrl);
    expect(result).toMatchObject({ state: 'down', up: false, ready: false, errorClass });
    expect(result.reason).toMatch(/^(GET|POST) \/\S+: /);
  });

  it('is down with error class timeout when the server hangs past timeout_sec', async () => {
    const server = await startServer({ kind, behavior: 'hang' });
    const result = await probe(kind, server.baseUrl, { timeout_sec: 0.3 });
    expect(result).toMatchObject({ state: 'down', ready: false, errorClass: 'timeout' });
    expect(result.reason).toContain('no answer within 0.3s');
  });

  it('times out on an answer slower than timeout_sec, and waits for one within it', async () => {
    const slow = await startServer({ kind, behavior: 'slow', delayMs: 1200 });
    expect(await probe(kind, slow.baseUrl, { timeout_sec: 0.3 })).toMatchObject({
      state: 'down',
      errorClass: 'timeout',
    });
    const patient = await startServer({ kind, behavior: 'slow', delayMs: 150 });
    const result = await probe(kind, patient.baseUrl, { timeout_sec: 10 });
    expect(result).toMatchObject({ state: 'up', ready: true });
    expect(result.latencyMs!).toBeGreaterThanOrEqual(140);
  });

  it('is down with error class refused when nothing listens', async () => {
    const result = await probe(kind, await deadUrl());
    expect(result).toMatchObject({
      state: 'down',
      up: false,
      errorClass: 'refused',
      latencyMs: expect.any(Number),
    });
    expect(result.reason).toContain('connection refused');
  });

  it('spends no tokens: no completion reaches the server', async () => {
    const server = await startServer({ kind });
    await probe(kind, server.baseUrl);
    expect(server.completions).toBe(0);
    expect(paths(server).every((p) => p.startsWith('GET '))).toBe(true);
  });
});

describe('backend specifics', () => {
  it('llama.cpp answering 503 "Loading model" is starting, not down', async () => {
    const server = await startServer({ kind: 'llamacpp', behavior: 'loading' });
    const result = await probe('llamacpp', server.baseUrl);
    expect(result).toMatchObject({
      kind: 'llamacpp',
      state: 'starting',
      up: false,
      ready: false,
      errorClass: 'http_error',
    });
    expect(result.reason).toMatch(/loading the model/);
  });

  it.each<ServerKind>(['openai', 'lmstudio', 'ollama', 'vllm'])(
    'a 503 from %s is down (only llama.cpp says it is loading)',
    async (kind) => {
      const server = await startServer({ kind, behavior: 'loading' });
      expect(await probe(kind, server.baseUrl)).toMatchObject({
        state: 'down',
        errorClass: 'http_error',
      });
    },
  );

  it('LM Studio: an empty server is up but not ready; embedding models do not make it ready', async () => {
    const empty = await startServer({ kind: 'lmstudio', models: [] });
    expect(await probe('lmstudio', empty.baseUrl)).toMatchObject({
      state: 'up',
      ready: false,
      errorClass: 'no_models',
      loadedModels: [],
    });
    const onlyEmbeddings = await startServer({
      kind: 'lmstudio',
      models: ['nomic-embed'],
      embeddings: ['nomic-embed'],
    });
    const result = await probe('lmstudio', onlyEmbeddings.baseUrl);
    expect(result).toMatchObject({
      state: 'up',
      ready: false,
      errorClass: 'no_models',
      models: [],
    });
    expect(result.reason).toContain('embedding');
  });

  it('LM Studio before 0.3.6 (no /api/v0): ready from /v1/models, loaded models unknown', async () => {
    const server = await startServer({
      kind: 'lmstudio',
      pathBehavior: { '/api/v0/models': 'not_found' },
    });
    expect(await probe('lmstudio', server.baseUrl)).toMatchObject({
      state: 'up',
      ready: true,
      loadedModels: null,
    });
  });

  it('Ollama: probed on its native API whether base_url ends in /v1 or not; /api/ps down leaves loaded unknown', async () => {
    const server = await startServer({
      kind: 'ollama',
      models: ['llama3:8b'],
      loaded: [],
      pathBehavior: { '/v1/models': 'fail' },
    });
    expect(await probe('ollama', server.url)).toMatchObject({
      state: 'up',
      ready: true,
      models: ['llama3:8b'],
      loadedModels: [],
    });
    expect(paths(server)).toEqual(expect.arrayContaining(['GET /api/tags', 'GET /api/ps']));
    server.pathBehavior['/api/ps'] = 'fail';
    expect(await probe('ollama', server.baseUrl)).toMatchObject({
      state: 'up',
      ready: true,
      loadedModels: null,
    });
  });

  it('llama.cpp: the model comes from /props, else from /v1/models', async () => {
    const server = await startServer({ kind: 'llamacpp', models: ['qwen-7b.gguf'] });
    expect((await probe('llamacpp', server.baseUrl)).models).toEqual(['qwen-7b.gguf']);
    server.pathBehavior['/props'] = 'not_found';
    expect(await probe('llamacpp', server.baseUrl)).toMatchObject({
      state: 'up',
      ready: true,
      models: ['qwen-7b.gguf'],
    });
  });

  it('vLLM: an unhealthy engine is down even while /v1/models answers', async () => {
    const server = await startServer({ kind: 'vllm', pathBehavior: { '/health': 'fail' } });
    const result = await probe('vllm', server.baseUrl);
    expect(result).toMatchObject({ state: 'down', errorClass: 'http_error' });
    expect(result.reason).toContain('GET /health');
  });

  it('a disabled endpoint is not called', async () => {
    const server = await startServer({ kind: 'openai' });
    const result = await probe('openai', server.baseUrl, { enabled: false });
    expect(result).toMatchObject({ state: 'disabled', ready: false });
    expect(server.requests).toHaveLength(0);
  });
});

describe('auto detection', () => {
  it.each(KINDS)('detects a %s server and probes it as one', async (kind) => {
    const server = await startServer({ kind });
    const result = await probe('auto', server.baseUrl);
    expect(result).toMatchObject({ kind, state: 'up', ready: true });
    expect(server.completions).toBe(0);
  });

  it('detects llama.cpp while it is loading, and reports it starting', async () => {
    const server = await startServer({ kind: 'llamacpp', behavior: 'loading' });
    expect(await probe('auto', server.baseUrl)).toMatchObject({
      kind: 'llamacpp',
      state: 'starting',
    });
  });

  it('with a remembered kind, probes only with that kind (no detection calls)', async () => {
    const server = await startServer({ kind: 'ollama' });
    const result = await probeEndpoint(
      endpoint({ id: 'e1', base_url: server.baseUrl }),
      probeContext({ detectedKind: 'ollama' }),
    );
    expect(result).toMatchObject({ kind: 'ollama', ready: true });
    expect(paths(server).sort()).toEqual(['GET /api/ps', 'GET /api/tags']);
  });

  it('detects again when the remembered kind no longer answers as itself', async () => {
    const server = await startServer({ kind: 'vllm' });
    const result = await probeEndpoint(
      endpoint({ id: 'e1', base_url: server.baseUrl }),
      probeContext({ detectedKind: 'ollama' }),
    );
    expect(result).toMatchObject({ kind: 'vllm', state: 'up', ready: true });
  });

  it('keeps a remembered kind through a timeout (silence says nothing about the kind)', async () => {
    const server = await startServer({ kind: 'ollama', behavior: 'hang' });
    const result = await probeEndpoint(
      endpoint({ id: 'e1', base_url: server.baseUrl, timeout_sec: 0.3 }),
      probeContext({ detectedKind: 'ollama' }),
    );
    expect(result).toMatchObject({ kind: 'ollama', state: 'down', errorClass: 'timeout' });
  });

  it('an auto endpoint that does not answer is down with kind auto', async () => {
    expect(await probe('auto', await deadUrl())).toMatchObject({
      kind: 'auto',
      state: 'down',
      errorClass: 'refused',
    });
    const hanging = await startServer({ kind: 'openai', behavior: 'hang' });
    expect(await probe('auto', hanging.baseUrl, { timeout_sec: 0.3 })).toMatchObject({
      kind: 'auto',
      state: 'down',
      errorClass: 'timeout',
    });
  });

  it('a server that speaks no known model API is down, and the reason lists what each route answered', async () => {
    const missing = await startServer({ kind: 'openai', behavior: 'not_found' });
    const result = await probe('auto', missing.baseUrl);
    expect(result).toMatchObject({ kind: 'auto', state: 'down', errorClass: 'http_error' });
    expect(result.reason).toContain(
      'no known model API answered (/v1/models HTTP 404; /props HTTP 404',
    );
    const garbled = await startServer({ kind: 'openai', behavior: 'invalid_json' });
    expect(await probe('auto', garbled.baseUrl)).toMatchObject({
      kind: 'auto',
      state: 'down',
      errorClass: 'invalid_response',
    });
  });

  it('a 503 that is not llama.cpp loading its model is not taken for llama.cpp', async () => {
    const server = await startServer({ kind: 'lmstudio', behavior: 'loading' });
    expect(await probe('auto', server.baseUrl)).toMatchObject({
      kind: 'auto',
      state: 'down',
      errorClass: 'http_error',
    });
  });
});
