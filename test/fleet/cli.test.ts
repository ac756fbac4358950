import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { deadUrl } from '../../src/sandbox/model-server.js';
import { startServer, tempDir } from './helpers.js';

const OUT = 'artifacts/autonomy/local_models';

function fleetRoot(endpoints: Array<Record<string, unknown>>): string {
  const root = tempDir();
  mkdirSync(path.join(root, 'config'), { recursive: true });
  writeFileSync(
    path.join(root, 'config/local_model_fleet.json'),
    JSON.stringify({ endpoints, routing: { kept: 'ignored' } }),
  );
  return root;
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['node', 'laneguard', ...args], {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    exitCode: 0,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function events(root: string, type: string): Array<Record<string, unknown>> {
  const file = path.join(root, OUT, 'idle_guard_history.ndjson');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.type === type);
}

describe('laneguard probe', () => {
  it('--help explains the states, the file written and the exit codes', async () => {
    const { code, out } = await cli('probe', '--help');
    expect(code).toBe(0);
    expect(out).toContain('Usage: laneguard probe [options]');
    for (const text of [
      'starting',
      'warmup_grace_sec',
      'fleet_status.json',
      'Exit codes',
      'no tokens',
    ])
      expect(out).toContain(text);
  });

  it('prints a table, writes fleet_status.json and records state changes; exit 1 when an enabled endpoint is down', async () => {
    const server = await startServer({ kind: 'ollama', models: ['llama3:8b'] });
    const root = fleetRoot([
      { id: 'ollama-1', base_url: server.baseUrl },
      { id: 'dead-1', base_url: await deadUrl(), kind: 'openai' },
      { id: 'off-1', base_url: server.baseUrl, enabled: false },
    ]);
    const { code, out } = await cli('--root', root, 'probe');
    expect(code).toBe(1);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^ENDPOINT\s+KIND\s+STATE\s+HEALTHY\s+LATENCY\s+MODELS\s+REASON$/);
    expect(lines.find((l) => l.startsWith('ollama-1'))).toMatch(
      /auto:ollama\s+up\s+yes\s+\d+ms\s+1 \(1 loaded\)/,
    );
    expect(lines.find((l) => l.startsWith('dead-1'))).toMatch(
      /openai\s+down\s+no\s+\d+ms\s+0\s+GET \/v1\/models: connection refused/,
    );
    expect(lines.find((l) => l.startsWith('off-1'))).toMatch(/disabled\s+no/);
    const status = JSON.parse(readFileSync(path.join(root, OUT, 'fleet_status.json'), 'utf8')) as {
      probe: { summary: unknown };
    };
    expect(status.probe.summary).toEqual({
      endpoint_total: 2,
      endpoint_healthy: 1,
      endpoint_unhealthy: 1,
    });
    expect(events(root, 'endpoint_state_changed').map((e) => [e.endpoint, e.to_state])).toEqual([
      ['ollama-1', 'up'],
      ['dead-1', 'down'],
      ['off-1', 'disabled'],
    ]);
  });

  it('--json prints the probe section; exit 0 when every enabled endpoint is ready or starting', async () => {
    const ready = await startServer({ kind: 'vllm' });
    const loading = await startServer({ kind: 'llamacpp', behavior: 'loading' });
    const root = fleetRoot([
      { id: 'v', base_url: ready.baseUrl, kind: 'vllm' },
      { id: 'l', base_url: loading.baseUrl, kind: 'llamacpp' },
    ]);
    const { code, out } = await cli('--root', root, 'probe', '--json');
    expect(code).toBe(0);
    const json = JSON.parse(out) as {
      endpoints: Array<{ id: string; state: string; ready: boolean }>;
      transitions: unknown[];
    };
    expect(json.endpoints.map((e) => [e.id, e.state, e.ready])).toEqual([
      ['v', 'up', true],
      ['l', 'starting', false],
    ]);
    expect(json.transitions).toHaveLength(2);
  });

  it('exit 1 for an endpoint that is up without a usable model', async () => {
    const empty = await startServer({ kind: 'lmstudio', models: [] });
    const root = fleetRoot([{ id: 'lms', base_url: empty.baseUrl, kind: 'lmstudio' }]);
    const { code, out } = await cli('--root', root, 'probe');
    expect(code).toBe(1);
    expect(out).toMatch(/lms\s+lmstudio\s+up\s+no/);
  });

  it('exit 2 with the file and key named for a bad fleet config', async () => {
    const root = fleetRoot([{ id: 'x', base_url: 'http://127.0.0.1:1/v1', kind: 'tgi' }]);
    const { code, err } = await cli('--root', root, 'probe');
    expect(code).toBe(2);
    expect(err).toContain('config/local_model_fleet.json');
    expect(err).toContain('kind');
  });
});

describe('laneguard scan', () => {
  it('--help explains the columns and the exit codes', async () => {
    const { code, out } = await cli('scan', '--help');
    expect(code).toBe(0);
    for (const text of ['PARALLEL c/r/e', 'min(configured, recommended)', 'backoff', 'Exit codes'])
      expect(out).toContain(text);
  });

  it('prints the capability table and keeps the probe section; exit 1 when a scan fails', async () => {
    const llama = await startServer({ kind: 'llamacpp', slots: 2, contextLength: 4096 });
    const root = fleetRoot([
      { id: 'llama', base_url: llama.baseUrl, kind: 'llamacpp', max_parallel: 4 },
      { id: 'dead', base_url: await deadUrl(), kind: 'vllm' },
    ]);
    await cli('--root', root, 'probe');
    const { code, out } = await cli('--root', root, 'scan');
    expect(code).toBe(1);
    expect(out.split('\n')[0]).toMatch(
      /^ENDPOINT\s+KIND\s+SCAN\s+MODELS\s+LOADED\s+CONTEXT\s+SLOTS\s+PARALLEL c\/r\/e\s+NOTE$/,
    );
    expect(out).toMatch(/llama\s+llamacpp\s+ok\s+1\s+1\s+4096\s+2\s+4\/2\/2/);
    expect(out).toMatch(
      /dead\s+vllm\s+failed\s+0\s+\?\s+-\s+-\s+1\/1\*\/1\s+GET \/v1\/models: connection refused/,
    );
    const status = JSON.parse(
      readFileSync(path.join(root, OUT, 'fleet_status.json'), 'utf8'),
    ) as Record<string, { endpoints: unknown[] }>;
    expect(status.probe!.endpoints).toHaveLength(2);
    expect(status.capability_scan!.endpoints).toHaveLength(2);
  });

  it('--json prints the capability_scan section; exit 0 when every scan succeeded', async () => {
    const server = await startServer({ kind: 'vllm', contextLength: 32768 });
    const root = fleetRoot([{ id: 'v', base_url: server.baseUrl, kind: 'vllm' }]);
    const { code, out } = await cli('--root', root, 'scan', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      summary: { by_endpoint: { v: { recommended_parallel: 1, max_context_tokens: 32768 } } },
    });
  });
});

describe('laneguard heartbeat', () => {
  it('--help on the group and on each subcommand explains keep-warm and the exit codes', async () => {
    const group = await cli('heartbeat', '--help');
    expect(group.code).toBe(0);
    expect(group.out).toContain('keep_warm');
    expect(group.out).toMatch(/once\s/);
    expect(group.out).toMatch(/run\s/);
    const run = await cli('heartbeat', 'run', '--help');
    expect(run.out).toContain('--interval <sec>');
    expect(run.out).toContain('SIGTERM');
    expect((await cli('heartbeat', 'once', '--help')).out).toContain('Exit codes');
  });

  it('once: a table of heartbeat endpoints and heartbeat_state.json; exit 1 when one fails', async () => {
    const server = await startServer({ kind: 'lmstudio', models: ['qwen'] });
    const root = fleetRoot([
      {
        id: 'remote',
        base_url: server.baseUrl,
        kind: 'lmstudio',
        heartbeat: true,
        keep_warm: { model: 'qwen' },
      },
      { id: 'gone', base_url: await deadUrl(), kind: 'lmstudio', heartbeat: true },
    ]);
    const { code, out } = await cli('--root', root, 'heartbeat', 'once');
    expect(code).toBe(1);
    expect(out).toMatch(/remote\s+lmstudio\s+yes\s+up\s+\d+ms\s+qwen ok/);
    expect(out).toMatch(/gone\s+lmstudio\s+no\s+down/);
    const state = JSON.parse(
      readFileSync(path.join(root, OUT, 'heartbeat_state.json'), 'utf8'),
    ) as { endpoints: Record<string, { ok: boolean }> };
    expect(Object.keys(state.endpoints).sort()).toEqual(['gone', 'remote']);
    expect(events(root, 'heartbeat_changed')).toHaveLength(2);
    await cli('--root', root, 'heartbeat', 'once');
    expect(events(root, 'heartbeat_changed')).toHaveLength(2);
  });

  it('once without heartbeat endpoints says so (exit 0); run refuses (exit 2), as it does a bad --interval', async () => {
    const root = fleetRoot([{ id: 'a', base_url: 'http://127.0.0.1:9/v1' }]);
    const once = await cli('--root', root, 'heartbeat', 'once');
    expect(once.code).toBe(0);
    expect(once.out).toContain('has "heartbeat": true');
    const run = await cli('--root', root, 'heartbeat', 'run');
    expect(run.code).toBe(2);
    expect(run.err).toContain('config/local_model_fleet.json');
    const bad = await cli('--root', root, 'heartbeat', 'run', '--interval', '0');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--interval must be a positive number');
  });
});
