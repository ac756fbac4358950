// Runs every dashboard query through a real Prometheus (no scrape targets):
// a PromQL syntax error, a bad function call or a template variable Grafana
// would not substitute makes the query fail here.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dashboardAnnotationQueries,
  dashboardFiles,
  dashboardQueries,
  dashboardVariableQueries,
} from './panel-queries.js';

const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const READY_TIMEOUT_MS = 20_000;

interface ApiAnswer {
  status: string;
  error?: string;
  errorType?: string;
  data?: unknown;
}

let prometheus: ChildProcess | undefined;
let baseUrl = '';
let tmpDir = '';
let log = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object'
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

async function waitReady(child: ChildProcess, url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `prometheus exited (${child.exitCode ?? child.signalCode}) before ready:\n${log}`,
      );
    }
    try {
      const response = await fetch(`${url}/-/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`prometheus not ready after ${READY_TIMEOUT_MS} ms:\n${log}`);
}

async function api(route: string, params: Record<string, string>): Promise<ApiAnswer> {
  const response = await fetch(`${baseUrl}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  return (await response.json()) as ApiAnswer;
}

const query = (expr: string) => api('/api/v1/query', { query: expr });

beforeAll(async () => {
  if (!existsSync(PROMETHEUS_BIN)) {
    throw new Error(`Prometheus not found at ${PROMETHEUS_BIN}; install it or set PROMETHEUS_BIN`);
  }
  tmpDir = await mkdtemp(path.join(os.tmpdir(), 'laneguard-grafana-prom-'));
  const configFile = path.join(tmpDir, 'prometheus.yml');
  await writeFile(configFile, 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(tmpDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus = child;
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await waitReady(child, baseUrl);
});

afterAll(async () => {
  const child = prometheus;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  if (tmpDir) await rm(tmpDir, { recursive: true, force: true });
});

const files = dashboardFiles();
const panelQueries = files.flatMap((file) => dashboardQueries(file));
const annotationQueries = files.flatMap((file) => dashboardAnnotationQueries(file));
const variableQueries = files.flatMap((file) => dashboardVariableQueries(file));

describe('dashboard queries against a real Prometheus', () => {
  it('has queries to check in every dashboard', () => {
    expect(files.length).toBe(2);
    for (const file of files) expect(dashboardQueries(file).length, file).toBeGreaterThan(5);
  });

  it('rejects a broken query (the check below can fail)', async () => {
    const answer = await query('sum by (lane) (laneguard_lane_running{lane="x"}');
    expect(answer.status).toBe('error');
    expect(answer.errorType).toBe('bad_data');
  });

  it.each(panelQueries)('$dashboard / $panel / $refId', async ({ expr }) => {
    const answer = await query(expr);
    expect(answer, `${expr}\n${answer.error ?? ''}`).toMatchObject({ status: 'success' });
  });

  it.each(annotationQueries)('$dashboard / annotation $panel', async ({ expr }) => {
    const answer = await query(expr);
    expect(answer, `${expr}\n${answer.error ?? ''}`).toMatchObject({ status: 'success' });
  });

  it.each(variableQueries)('$dashboard / variable $variable', async ({ query: text }) => {
    // Grafana runs label_values(selector, label) as a label-values lookup.
    const match = /^label_values\((.+),\s*(\w+)\)$/.exec(text);
    expect(match, text).not.toBeNull();
    const [, selector = '', label = ''] = match ?? [];
    const response = await fetch(
      `${baseUrl}/api/v1/label/${label}/values?${new URLSearchParams({ 'match[]': selector })}`,
    );
    const answer = (await response.json()) as ApiAnswer;
    expect(answer, `${text}\n${answer.error ?? ''}`).toMatchObject({ status: 'success' });
  });
});
