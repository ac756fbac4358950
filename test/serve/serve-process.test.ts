// A real `laneguard serve` process on a sandbox fleet.
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { laneguard, readEvents, waitFor } from '../helpers/cli.js';
import { startServe } from '../helpers/serve-process.js';
import { sample } from '../helpers/service.js';
import { tempDir } from '../helpers/tmp.js';
import { useModelServer } from '../helpers/model-server.js';

const models = useModelServer();

async function metrics(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

describe('laneguard serve (real process)', () => {
  it('starts a starved lane on its schedule, reloads on SIGHUP and POST, keeps the old config when the new one is bad, and stops cleanly on SIGTERM', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [{ id: 'starved', urls: [models.server.baseUrl], pending: 3, continuous: true }],
      guard: { interval_sec: 2 },
    });
    const serve = await startServe(root);
    let text = '';
    await waitFor(async () => false, 'never', 1).catch(() => undefined);
    await waitFor(
      () => {
        void metrics(serve.url).then((t) => (text = t));
        return sample(text, 'laneguard_lane_running', { lane: 'starved' }) === 1;
      },
      'the lane to be started by the schedule',
      30_000,
    );
    expect(
      sample(text, 'laneguard_lane_starts_total', {
        lane: 'starved',
        trigger: 'schedule',
        result: 'success',
      }),
    ).toBe(1);
    expect((await fetch(`${serve.url}/-/ready`)).status).toBe(200);
    expect(existsSync(path.join(root, 'artifacts/autonomy/local_models/idle_guard.pid'))).toBe(
      true,
    );

    const configFile = path.join(root, 'config/local_model_idle_guard.json');
    writeFileSync(configFile, '{"interval_sec": 2, "mode": "sometimes"}');
    serve.child.kill('SIGHUP');
    await waitFor(
      () => readEvents(root).some((e) => e.type === 'config_reload_failed'),
      'the failed reload to be recorded',
    );
    expect(sample(await metrics(serve.url), 'laneguard_config_last_reload_successful')).toBe(0);
    expect((await fetch(`${serve.url}/-/healthy`)).status).toBe(200);

    writeFileSync(configFile, JSON.stringify({ interval_sec: 2, mode: 'alert' }));
    // Without credentials configured, POST /-/reload is refused like /api/v1/cycle; SIGHUP reloads.
    const reload = await fetch(`${serve.url}/-/reload`, { method: 'POST' });
    expect(reload.status).toBe(403);
    serve.child.kill('SIGHUP');
    await waitFor(
      () => readEvents(root).some((e) => e.type === 'config_reloaded'),
      'the reload to be recorded',
    );
    expect(sample(await metrics(serve.url), 'laneguard_config_last_reload_successful')).toBe(1);
    const status = (await (await fetch(`${serve.url}/api/v1/status`)).json()) as { mode: string };
    expect(status.mode).toBe('alert');

    serve.child.kill('SIGTERM');
    expect(await serve.exit).toBe(0);
    const types = readEvents(root).map((e) => e.type);
    expect(types[0]).toBe('guard_started');
    expect(types.at(-1)).toBe('guard_stopped');
    expect(existsSync(path.join(root, 'artifacts/autonomy/local_models/idle_guard.pid'))).toBe(
      false,
    );
  });

  it('refuses a non-loopback bind without a token, naming the key or the flag that asked for it', async () => {
    const root = buildSandboxRoot(tempDir(), { endpoints: [], lanes: [] });
    const run = await laneguard(['--root', root, 'serve', '--listen', '0.0.0.0:0'], {
      env: { LANEGUARD_WEBHOOK_TOKEN: '' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--listen: refusing to listen on 0.0.0.0:0 without a token');
    const configured = buildSandboxRoot(tempDir(), {
      endpoints: [],
      lanes: [],
      guard: { server: { listen: '0.0.0.0:0' } },
    });
    const fromConfig = await laneguard(['--root', configured, 'serve'], {
      env: { LANEGUARD_WEBHOOK_TOKEN: '' },
    });
    expect(fromConfig.code).toBe(2);
    expect(fromConfig.stderr).toContain(
      'server.listen: refusing to listen on 0.0.0.0:0 without a token',
    );
  });

  it('a serve that cannot bind its port fails instead of running without an HTTP server, and leaves the pid file alone', async () => {
    const root = buildSandboxRoot(tempDir(), { endpoints: [], lanes: [] });
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const run = await laneguard(['--root', root, 'serve', '--listen', `127.0.0.1:${port}`]);
      // One line naming the key and the address, no stack trace.
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe(
        `laneguard: configuration error: command line: --listen: cannot listen on 127.0.0.1:${port}: the address is already in use (another laneguard serve, or another program); choose another address with --listen HOST:PORT or server.listen`,
      );
      expect(existsSync(path.join(root, 'artifacts/autonomy/local_models/idle_guard.pid'))).toBe(
        false,
      );
      // The same through server.listen and `start`.
      writeFileSync(
        path.join(root, 'config/local_model_idle_guard.json'),
        JSON.stringify({ server: { listen: `127.0.0.1:${port}` } }),
      );
      const started = await laneguard(['--root', root, 'start']);
      expect(started.code).toBe(1);
      expect(started.stdout.trim()).toBe(
        `serve exited during start-up: configuration error: config/local_model_idle_guard.json: server.listen: cannot listen on 127.0.0.1:${port}: the address is already in use (another laneguard serve, or another program); choose another address with --listen HOST:PORT or server.listen (log ${path.join(root, 'artifacts/autonomy/local_models/idle_guard.log')})`,
      );
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('refuses a second serve on the same root', async () => {
    const root = buildSandboxRoot(tempDir(), { endpoints: [], lanes: [] });
    const first = await startServe(root);
    const second = await laneguard(['--root', root, 'serve', '--listen', '127.0.0.1:0']);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/already runs for this root \(pid \d+\)/);
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
  });
});
