// `serve`'s stop (SIGTERM, SIGINT, demo end): work already under way finishes before the daemon
// says it stopped and gives up its pid file.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { startServer } from '../../src/serve/serve.js';
import { systemClock } from '../../src/util/clock.js';
import { readEvents, waitFor } from '../helpers/cli.js';
import { useModelServer } from '../helpers/model-server.js';
import { tempDir } from '../helpers/tmp.js';
import { alert, BEARER, payload, TOKEN } from '../receiver/helpers.js';

const models = useModelServer();

describe('serve stop', () => {
  it('waits for an ensure that an alert started before recording guard_stopped and removing the pid file', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [],
      guard: {
        // The schedule only observes: the one ensure is the alert's.
        mode: 'alert',
        server: { token_file: 'config/webhook.token' },
        lanes: { ensure_command: [process.execPath, '-e', 'setTimeout(() => {}, 1500)'] },
      },
    });
    writeFileSync(path.join(root, 'config/webhook.token'), `${TOKEN}\n`);
    const running = await startServer({ root, clock: systemClock, log: () => undefined, listen: '127.0.0.1:0', env: {} });
    const pidFile = running.service.config.paths.pid;
    expect(existsSync(pidFile)).toBe(true);

    const res = await fetch(`${running.url}/alertmanager/webhook`, {
      method: 'POST',
      headers: { authorization: BEARER, 'content-type': 'application/json' },
      body: JSON.stringify(payload([alert({ labels: { laneguard_action: 'ensure' } })])),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1 });
    // The ensure command is running once its probe and gate are behind it.
    await waitFor(() => readEvents(root).some((e) => e.type === 'endpoint_state_changed'), 'the ensure to probe');
    await new Promise((r) => setTimeout(r, 300));

    await running.stop('test');
    const types = readEvents(root).map((e) => e.type);
    expect(types).toContain('ensure_ran');
    expect(types.indexOf('ensure_ran')).toBeLessThan(types.indexOf('guard_stopped'));
    expect(types.at(-1)).toBe('guard_stopped');
    expect(existsSync(pidFile)).toBe(false);
  });
});
