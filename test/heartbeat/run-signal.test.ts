import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { startServer, tempDir } from '../fleet/helpers.js';

// `heartbeat run` as the operator runs it: the built CLI in its own process, stopped by a signal.
const MAIN = path.join(packageRoot(), 'dist', 'main.js');

describe.each(['SIGTERM', 'SIGINT'] as const)('laneguard heartbeat run and %s', (signal) => {
  it('heartbeats until the signal, then stops cleanly with exit 0', async () => {
    expect(existsSync(MAIN), `${MAIN} is missing: run \`npm run build\` first`).toBe(true);
    const server = await startServer({ kind: 'lmstudio', models: ['qwen'] });
    const root = tempDir();
    mkdirSync(path.join(root, 'config'), { recursive: true });
    writeFileSync(
      path.join(root, 'config/local_model_fleet.json'),
      JSON.stringify({
        endpoints: [{ id: 'remote', base_url: server.baseUrl, kind: 'lmstudio', heartbeat: true }],
      }),
    );

    const child = spawn(
      process.execPath,
      [MAIN, '--root', root, 'heartbeat', 'run', '--interval', '0.05'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let exitCode: number | null | undefined;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve((exitCode = code))),
    );

    // Several rounds have run once the server has been asked three times.
    await vi.waitFor(
      () => {
        if (exitCode !== undefined)
          throw new Error(`heartbeat run exited early (${exitCode}): ${stderr}`);
        expect(server.requestsTo('/v1/models').length).toBeGreaterThanOrEqual(3);
      },
      { timeout: 20_000, interval: 20 },
    );
    child.kill(signal);
    expect(await exited).toBe(0);

    expect(stdout).toMatch(/heartbeat stopped after \d+ round\(s\)/);
    const state = JSON.parse(
      readFileSync(path.join(root, 'artifacts/autonomy/local_models/heartbeat_state.json'), 'utf8'),
    ) as { endpoints: Record<string, { ok: boolean }> };
    expect(state.endpoints.remote?.ok).toBe(true);
    const history = readFileSync(
      path.join(root, 'artifacts/autonomy/local_models/idle_guard_history.ndjson'),
      'utf8',
    )
      .trim()
      .split('\n');
    // Many rounds, one state: one heartbeat_changed event.
    expect(history.map((l) => (JSON.parse(l) as { type: string }).type)).toEqual([
      'heartbeat_changed',
    ]);
  });
});
