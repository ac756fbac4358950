import { describe, expect, it } from 'vitest';
import type { EndpointKind } from '../../src/domain/types.js';
import { fetchHttpClient } from '../../src/fleet/http.js';
import { probeEndpoint } from '../../src/fleet/probe-endpoint.js';
import { endpoint, probeContext, startServer } from './helpers.js';

// The sandbox model servers behave as the real ones do in each case of ./real-answers.test.ts.

async function probe(kind: EndpointKind, baseUrl: string, extra: Record<string, unknown> = {}) {
  return probeEndpoint(endpoint({ id: 'e1', base_url: baseUrl, kind, ...extra }), probeContext());
}

describe('sandbox model servers answer as the real ones', () => {
  it('LM Studio answers a route it lacks with 200 and an error; before 0.3.6 it has no /api/v0', async () => {
    const server = await startServer({ kind: 'lmstudio', lmStudioNativeApi: false });
    const res = await fetchHttpClient.request(`${server.url}/api/v0/models`, { timeoutMs: 5000 });
    expect(res).toMatchObject({ ok: false, status: 200, errorClass: 'http_error' });
    expect(await probe('auto', server.baseUrl)).toMatchObject({
      kind: 'lmstudio',
      state: 'up',
      ready: true,
      loadedModels: null,
    });
  });

  it('Ollama with nothing pulled lists "data": null on /v1/models', async () => {
    const server = await startServer({ kind: 'ollama', models: [] });
    const res = await fetchHttpClient.request(`${server.baseUrl}/models`, { timeoutMs: 5000 });
    expect(res).toMatchObject({ ok: true, json: { object: 'list', data: null } });
    expect(await probe('openai', server.baseUrl)).toMatchObject({
      state: 'up',
      ready: false,
      errorClass: 'no_models',
    });
  });

  it.each([true, false])(
    'Ollama with only an embedding model is up, not ready (capabilities in /api/tags: %s)',
    async (ollamaTagsCapabilities) => {
      const server = await startServer({
        kind: 'ollama',
        models: ['nomic-embed-text'],
        embeddings: ['nomic-embed-text'],
        ollamaTagsCapabilities,
      });
      expect(await probe('ollama', server.url)).toMatchObject({
        state: 'up',
        ready: false,
        errorClass: 'no_models',
        models: [],
      });
      expect(server.requestsTo('/api/show').length > 0).toBe(!ollamaTagsCapabilities);
      server.models = ['nomic-embed-text', 'llama3.1:8b'];
      expect(await probe('ollama', server.url)).toMatchObject({
        ready: true,
        models: ['llama3.1:8b'],
      });
    },
  );

  it('llama.cpp with an API key: 401 on /props, public model list; auth_required until headers carry the key', async () => {
    const server = await startServer({ kind: 'llamacpp', apiKey: 'k-123' });
    expect(await probe('auto', server.baseUrl)).toMatchObject({
      kind: 'llamacpp',
      state: 'up',
      ready: false,
      errorClass: 'auth_required',
    });
    expect(
      await probe('auto', server.baseUrl, { headers: { Authorization: 'Bearer k-123' } }),
    ).toMatchObject({ kind: 'llamacpp', ready: true });
  });

  it('llama.cpp loading lists its model with meta null, and is starting under every kind that reads it', async () => {
    const server = await startServer({ kind: 'llamacpp', behavior: 'loading' });
    const list = await fetchHttpClient.request(`${server.baseUrl}/models`, { timeoutMs: 5000 });
    expect(list).toMatchObject({
      ok: true,
      json: { data: [{ owned_by: 'llamacpp', meta: null }] },
    });
    for (const kind of ['llamacpp', 'auto', 'openai'] as const)
      expect(await probe(kind, server.baseUrl), kind).toMatchObject({
        state: 'starting',
        ready: false,
      });
    server.behavior = 'ok';
    expect(await probe('openai', server.baseUrl)).toMatchObject({ state: 'up', ready: true });
  });
});
