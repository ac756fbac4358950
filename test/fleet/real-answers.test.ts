import { describe, expect, it } from 'vitest';
import type { EndpointKind } from '../../src/domain/types.js';
import { probeEndpoint } from '../../src/fleet/probe-endpoint.js';
import { readCapabilities } from '../../src/fleet/probers/index.js';
import { endpoint, probeContext } from './helpers.js';
import {
  llamaCppLoading2025,
  llamaCppWithApiKey,
  lmStudioBefore036,
  ollamaNothingPulled,
  ollamaOnlyEmbeddings,
} from './replay/answers.js';
import { replay } from './replay/server.js';

// Each real server answer that was misread, replayed verbatim (see ./replay/answers.ts for where
// each comes from), under the explicit kind and under `auto`.

async function read(kind: EndpointKind, baseUrl: string, extra: Record<string, unknown> = {}) {
  const e = endpoint({ id: 'e1', base_url: baseUrl, kind, ...extra });
  return {
    probe: await probeEndpoint(e, probeContext()),
    scan: await readCapabilities(e, probeContext()),
  };
}

describe('LM Studio before 0.3.6: unknown routes answer HTTP 200 with an error body', () => {
  it.each<EndpointKind>(['lmstudio', 'auto'])(
    'kind %s: up and ready from /v1/models, loaded unknown; the scan falls back to the model list',
    async (kind) => {
      const server = await replay(lmStudioBefore036);
      const { probe, scan } = await read(kind, server.baseUrl);
      expect(probe).toMatchObject({
        kind: 'lmstudio',
        state: 'up',
        ready: true,
        errorClass: null,
        loadedModels: null,
      });
      expect(probe.models).toEqual(['qwen2.5-7b-instruct', 'text-embedding-nomic-embed-text-v1.5']);
      expect(scan).toMatchObject({
        kind: 'lmstudio',
        ok: true,
        errorClass: null,
        loadedModels: null,
        models: ['qwen2.5-7b-instruct', 'text-embedding-nomic-embed-text-v1.5'],
      });
    },
  );

  it('a 200 whose body is an error is an error for every kind, and the reason quotes it', async () => {
    const server = await replay(lmStudioBefore036);
    // A base_url with one /v1 too many: LM Studio answers GET /v1/v1/models with 200 and an error.
    for (const kind of ['openai', 'lmstudio', 'vllm'] as const) {
      const { probe, scan } = await read(kind, `${server.baseUrl}/v1`);
      expect(probe).toMatchObject({ state: 'down', ready: false, errorClass: 'http_error' });
      // vLLM asks /health first: that is the call it names.
      expect(probe.reason).toContain(
        `HTTP 200 with an error: Unexpected endpoint or method. (GET /v1/${kind === 'vllm' ? 'health' : 'v1/models'})`,
      );
      expect(scan).toMatchObject({ ok: false, errorClass: 'http_error' });
    }
  });
});

describe('Ollama with nothing pulled: /v1/models answers "data": null', () => {
  it.each<EndpointKind>(['ollama', 'openai', 'auto'])(
    'kind %s: up with no model (no_models), not invalid_response',
    async (kind) => {
      const server = await replay(ollamaNothingPulled);
      const { probe, scan } = await read(kind, server.baseUrl);
      expect(probe).toMatchObject({
        kind: kind === 'openai' ? 'openai' : 'ollama',
        state: 'up',
        up: true,
        ready: false,
        errorClass: 'no_models',
        models: [],
      });
      expect(scan).toMatchObject({ ok: true, models: [] });
    },
  );
});

describe('Ollama holding only an embedding model', () => {
  it.each<[EndpointKind, boolean]>([
    ['ollama', true],
    ['auto', true],
    ['ollama', false],
    ['auto', false],
  ])(
    'kind %s (capabilities in /api/tags: %s): up, not ready; the scan lists no usable model',
    async (kind, tagsCarryCapabilities) => {
      const server = await replay(ollamaOnlyEmbeddings(tagsCarryCapabilities));
      const { probe, scan } = await read(kind, server.baseUrl);
      expect(probe).toMatchObject({
        kind: 'ollama',
        state: 'up',
        ready: false,
        errorClass: 'no_models',
        models: [],
      });
      expect(probe.reason).toContain('only embedding models');
      expect(scan).toMatchObject({ kind: 'ollama', ok: true, models: [], loadedModels: [] });
      // /api/show is asked only when /api/tags does not say.
      expect(server.seen.includes('POST /api/show')).toBe(!tagsCarryCapabilities);
    },
  );
});

describe('llama.cpp started with --api-key', () => {
  it.each<EndpointKind>(['llamacpp', 'auto'])(
    'kind %s: detected as llamacpp, up but not ready, auth_required naming `headers`',
    async (kind) => {
      const server = await replay(llamaCppWithApiKey('s3cret'));
      const { probe, scan } = await read(kind, server.baseUrl);
      expect(probe).toMatchObject({
        kind: 'llamacpp',
        state: 'up',
        up: true,
        ready: false,
        errorClass: 'auth_required',
        models: ['qwen2.5-7b-instruct-q4_k_m.gguf'],
      });
      expect(probe.reason).toMatch(/GET \/props: HTTP 401: .*set `headers`/);
      expect(scan).toMatchObject({ kind: 'llamacpp', ok: false, errorClass: 'auth_required' });
    },
  );

  it.each<EndpointKind>(['llamacpp', 'auto'])(
    'kind %s with the key in `headers`: ready, and the scan reads /props',
    async (kind) => {
      const server = await replay(llamaCppWithApiKey('s3cret'));
      const { probe, scan } = await read(kind, server.baseUrl, {
        headers: { Authorization: 'Bearer s3cret' },
      });
      expect(probe).toMatchObject({
        kind: 'llamacpp',
        state: 'up',
        ready: true,
        errorClass: null,
        models: ['qwen2.5-7b-instruct-q4_k_m.gguf'],
      });
      expect(scan).toMatchObject({ kind: 'llamacpp', ok: true, slots: 2, maxContextTokens: 8192 });
    },
  );

  it('a 401 or 403 on a generic server is auth_required, not down', async () => {
    const server = await replay({
      routes: {},
      fallback: () => ({ status: 403, body: '{"error":"forbidden"}' }),
    });
    for (const kind of ['openai', 'vllm', 'ollama', 'lmstudio', 'auto'] as const) {
      const { probe } = await read(kind, server.baseUrl);
      expect(probe, kind).toMatchObject({ state: 'up', ready: false, errorClass: 'auth_required' });
    }
  });
});

describe('llama.cpp loading its model (2025 builds list the model with "meta": null)', () => {
  it.each<EndpointKind>(['llamacpp', 'auto', 'openai'])(
    'kind %s: starting, not ready',
    async (kind) => {
      const server = await replay(llamaCppLoading2025);
      const { probe, scan } = await read(kind, server.baseUrl);
      expect(probe).toMatchObject({
        kind: kind === 'auto' ? 'llamacpp' : kind,
        state: 'starting',
        up: false,
        ready: false,
      });
      expect(probe.reason).toMatch(/loading the model/);
      expect(scan.ok).toBe(kind === 'openai');
    },
  );
});
