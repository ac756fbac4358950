// Values that reach the metrics from outside (a model server's `usage`, the heartbeat state file)
// must never make a scrape fail.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { endpointSchema } from '../../src/config/fleet-schema.js';
import { tinyCompletion } from '../../src/fleet/completion.js';
import { fetchHttpClient } from '../../src/fleet/http.js';
import { createApp } from '../../src/http/app.js';
import { sample, sandboxService } from '../helpers/service.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** An OpenAI-style server whose completions report `usage` as the raw JSON text given. */
async function serverReportingUsage(usageJson: string): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/v1/models')
        return void res.end('{"object":"list","data":[{"id":"m","object":"model"}]}');
      if (req.url === '/v1/chat/completions')
        return void res.end(
          `{"choices":[{"index":0,"message":{"role":"assistant","content":"ok"}}],"usage":${usageJson}}`,
        );
      res.statusCode = 404;
      res.end('{}');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

describe('metrics from hostile values', () => {
  it('a canary whose server reports an infinite token count does not break the scrape', async () => {
    const url = await serverReportingUsage('{"total_tokens": 1e309}');
    const { service } = sandboxService({
      endpoints: [{ id: 'lm', base_url: url, kind: 'openai', canary: { model: 'm' } }],
      lanes: [],
    });
    await service.probe();
    const res = await request(createApp(service)).get('/metrics');
    expect(res.status).toBe(200);
    expect(
      sample(res.text, 'laneguard_endpoint_probes_total', { endpoint: 'lm', result: 'success' }),
    ).toBe(1);
    const tokens = sample(res.text, 'laneguard_probe_tokens_total', { endpoint: 'lm' }) ?? 0;
    expect(Number.isFinite(tokens) && tokens >= 0).toBe(true);
  });

  it('a negative keep-warm token total in the heartbeat state does not break the scrape', async () => {
    const { service, root } = sandboxService({ endpoints: [], lanes: [] });
    const dir = path.join(root, 'artifacts/autonomy/local_models');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'heartbeat_state.json'),
      JSON.stringify({
        version: 1,
        updated_at: '2026-06-01T00:00:00.000Z',
        endpoints: {
          remote: {
            endpoint: 'remote',
            ok: true,
            last_success_at: '2026-06-01T00:00:00.000Z',
            tokens_total: -3,
          },
        },
      }),
    );
    service.refreshSideStates();
    const res = await request(createApp(service)).get('/metrics');
    expect(res.status).toBe(200);
    expect(sample(res.text, 'laneguard_heartbeat_success', { endpoint: 'remote' })).toBe(1);
  });

  it('a negative usage count from a keep-warm server is not counted', async () => {
    const url = await serverReportingUsage('{"prompt_tokens": -50, "completion_tokens": 1}');
    const outcome = await tinyCompletion(endpointSchema.parse({ id: 'lm', base_url: url }), 'm', {
      http: fetchHttpClient,
      now: () => new Date(),
    });
    expect(outcome.ok).toBe(true);
    expect(outcome.tokens).toBeGreaterThanOrEqual(0);
  });
});
