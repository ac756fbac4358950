import { describe, expect, it } from 'vitest';
import { countOf, sampleSum } from '../../src/fleet/load/prom-text.js';
import { probeEndpoint } from '../../src/fleet/probe-endpoint.js';
import { endpoint, paths, probeContext, startServer } from './helpers.js';
import { replay } from './replay/server.js';

// The live-load read that rides on the probe: what each backend reports, read within the probe's
// own timeout, and null (never 0) where nothing is reported.

describe('Prometheus text of a model server', () => {
  // vLLM exposes one sample per model and engine, as floats (vllm/v1/metrics/loggers.py).
  const vllm = [
    '# HELP vllm:num_requests_running Number of requests in model execution batches.',
    '# TYPE vllm:num_requests_running gauge',
    'vllm:num_requests_running{engine="0",model_name="Qwen/Qwen2.5-7B-Instruct"} 2.0',
    'vllm:num_requests_running{engine="1",model_name="Qwen/Qwen2.5-7B-Instruct"} 1.0',
    '# HELP vllm:num_requests_waiting Number of requests waiting to be processed.',
    '# TYPE vllm:num_requests_waiting gauge',
    'vllm:num_requests_waiting{engine="0",model_name="Qwen/Qwen2.5-7B-Instruct"} 0.0',
    'vllm:num_requests_waiting_by_reason{engine="0",reason="capacity"} 7.0',
  ].join('\n');

  it('sums every label set of a family, and ignores families that only share the prefix', () => {
    expect(sampleSum(vllm, 'vllm:num_requests_running')).toBe(3);
    expect(sampleSum(vllm, 'vllm:num_requests_waiting')).toBe(0);
    expect(sampleSum(vllm, 'vllm:kv_cache_usage_perc')).toBeNull();
    expect(
      sampleSum(
        'llamacpp:requests_processing 1\nllamacpp:requests_deferred 4 1700000000000\n',
        'llamacpp:requests_deferred',
      ),
    ).toBe(4);
  });

  it('an unreadable value makes the family unknown, and counts are never negative', () => {
    expect(
      sampleSum('vllm:num_requests_running{a="b"} NaN', 'vllm:num_requests_running'),
    ).toBeNull();
    expect(countOf(-1)).toBe(0);
    expect(countOf(2.4)).toBe(2);
    expect(countOf(null)).toBeNull();
  });
});

describe('load read with the probe', () => {
  it('vLLM: running and waiting from /metrics; no slots', async () => {
    const server = await startServer({ kind: 'vllm', running: 2, waiting: 1 });
    const result = await probeEndpoint(
      endpoint({ id: 'v', base_url: server.baseUrl, kind: 'vllm' }),
      probeContext(),
    );
    expect(result.load).toEqual({ running: 2, waiting: 1, slots: null, source: 'GET /metrics' });
  });

  it('llama.cpp: slots from /slots; waiting only with --metrics; nothing at all with --no-slots and no --metrics', async () => {
    const server = await startServer({ kind: 'llamacpp', slots: 3, running: 1 });
    const e = endpoint({ id: 'l', base_url: server.baseUrl, kind: 'llamacpp' });
    expect((await probeEndpoint(e, probeContext())).load).toEqual({
      running: 1,
      waiting: null,
      slots: { busy: 1, idle: 2 },
      source: 'GET /slots',
    });
    server.metricsEndpoint = true;
    server.waiting = 4;
    expect((await probeEndpoint(e, probeContext())).load).toEqual({
      running: 1,
      waiting: 4,
      slots: { busy: 1, idle: 2 },
      source: 'GET /slots + GET /metrics',
    });
    server.slotsEndpoint = false;
    server.metricsEndpoint = false;
    const bare = await probeEndpoint(e, probeContext());
    expect(bare).toMatchObject({ state: 'up', ready: true, load: null });
  });

  it("rides on the probe's timeout: a /metrics that never answers leaves the endpoint up with no load", async () => {
    const server = await startServer({ kind: 'vllm', pathBehavior: { '/metrics': 'hang' } });
    const result = await probeEndpoint(
      endpoint({ id: 'v', base_url: server.baseUrl, kind: 'vllm', timeout_sec: 0.4 }),
      probeContext(),
    );
    expect(result).toMatchObject({ state: 'up', ready: true, load: null });
    // Asked together with the probe's own calls, not after them: one timeout, not two.
    expect(paths(server).slice(0, 3).sort()).toEqual([
      'GET /health',
      'GET /metrics',
      'GET /v1/models',
    ]);
  });

  it('is read only from a server that is up, and not at all for kinds that report none', async () => {
    const loading = await startServer({ kind: 'llamacpp', behavior: 'loading' });
    expect(
      (
        await probeEndpoint(
          endpoint({ id: 'l', base_url: loading.baseUrl, kind: 'llamacpp' }),
          probeContext(),
        )
      ).load,
    ).toBeNull();
    for (const kind of ['ollama', 'lmstudio', 'openai'] as const) {
      const server = await startServer({ kind });
      const result = await probeEndpoint(
        endpoint({ id: 'x', base_url: server.baseUrl, kind }),
        probeContext(),
      );
      expect(result, kind).toMatchObject({ ready: true, load: null });
      expect(
        paths(server).some((p) => /\/(metrics|slots)$/.test(p)),
        kind,
      ).toBe(false);
    }
  });

  it('auto: read as the detected kind once detection is done', async () => {
    const server = await replay({
      routes: {
        'GET /v1/models': {
          status: 200,
          body: '{"object":"list","data":[{"id":"m","object":"model","owned_by":"vllm","max_model_len":8192}]}',
        },
        'GET /health': { status: 200, body: '' },
        'GET /metrics': {
          status: 200,
          body: 'vllm:num_requests_running{model_name="m"} 0.0\nvllm:num_requests_waiting{model_name="m"} 0.0\n',
          contentType: 'text/plain; version=0.0.4',
        },
      },
      fallback: () => ({ status: 404, body: '{"detail":"Not Found"}' }),
    });
    const result = await probeEndpoint(
      endpoint({ id: 'a', base_url: server.baseUrl }),
      probeContext(),
    );
    expect(result).toMatchObject({
      kind: 'vllm',
      ready: true,
      load: { running: 0, waiting: 0, slots: null },
    });
  });
});

describe('load in the probe reason', () => {
  it('says what the server reports, so `laneguard probe` shows it', async () => {
    const server = await startServer({
      kind: 'llamacpp',
      slots: 2,
      running: 2,
      waiting: 1,
      metricsEndpoint: true,
    });
    const result = await probeEndpoint(
      endpoint({ id: 'l', base_url: server.baseUrl, kind: 'llamacpp' }),
      probeContext(),
    );
    expect(result.reason).toBe(
      '1 model, 1 loaded; server: 2 running, 1 waiting, slots 2 busy / 0 idle',
    );
  });
});
