// `serve`'s stop (SIGTERM, SIGINT, demo end): work already under way finishes before the daemon
// says it stopped and gives up its pid file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { startServer } from '../../src/serve/serve.js';
import { systemClock } from '../../src/util/clock.js';
import { pidExists } from '../../src/process/index.js';
import { readEvents, waitFor } from '../helpers/cli.js';
import { useModelServer } from '../helpers/model-server.js';
import { tempDir } from '../helpers/tmp.js';
import { alert, BEARER, payload, TOKEN } from '../receiver/helpers.js';

const models = useModelServer();

const TREE_WRITING_PIDS = `
const { spawn } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const child = spawn(process.execPath, ['-e', "process.on('SIGTERM',()=>{}); setInterval(()=>{}, 1000)"], { stdio: 'ignore' });
process.on('SIGTERM', () => {});
child.on('spawn', () => writeFileSync(process.argv[1], JSON.stringify({ parent: process.pid, grandchild: child.pid })));
setInterval(() => {}, 1000);
`;

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
    const running = await startServer({
      root,
      clock: systemClock,
      log: () => undefined,
      listen: '127.0.0.1:0',
      env: {},
    });
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
    await waitFor(
      () => readEvents(root).some((e) => e.type === 'endpoint_state_changed'),
      'the ensure to probe',
    );
    await new Promise((r) => setTimeout(r, 300));

    await running.stop('test');
    const types = readEvents(root).map((e) => e.type);
    expect(types).toContain('ensure_ran');
    expect(types.indexOf('ensure_ran')).toBeLessThan(types.indexOf('guard_stopped'));
    expect(types.at(-1)).toBe('guard_stopped');
    expect(existsSync(pidFile)).toBe(false);
  });

  it('cancels a fleet command that outlives the stop grace: its whole process tree ends, and the stop does not wait for it', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [],
      guard: {
        mode: 'alert',
        server: { token_file: 'config/webhook.token' },
        // A command that ignores SIGTERM and leaves a grandchild that ignores it too, for 10 minutes;
        // it writes both pids to a file once both run.
        lanes: {
          ensure_command: [process.execPath, '-e', TREE_WRITING_PIDS, '{root}/tree.json'],
          command_timeout_sec: 600,
        },
      },
    });
    writeFileSync(path.join(root, 'config/webhook.token'), `${TOKEN}\n`);
    const running = await startServer({
      root,
      clock: systemClock,
      log: () => undefined,
      listen: '127.0.0.1:0',
      env: {},
      stopGraceMs: 300,
    });
    const res = await fetch(`${running.url}/alertmanager/webhook`, {
      method: 'POST',
      headers: { authorization: BEARER, 'content-type': 'application/json' },
      body: JSON.stringify(payload([alert({ labels: { laneguard_action: 'ensure' } })])),
    });
    expect(res.status).toBe(200);
    await waitFor(
      () => existsSync(path.join(root, 'tree.json')),
      'the ensure command and its child to run',
    );

    await running.stop('test');
    const events = readEvents(root);
    const ran = events.find((e) => e.type === 'ensure_ran');
    expect(ran).toMatchObject({ ok: false, error: 'cancelled: laneguard is stopping' });
    expect(events.at(-1)?.type).toBe('guard_stopped');
    const pids = JSON.parse(readFileSync(path.join(root, 'tree.json'), 'utf8')) as {
      parent: number;
      grandchild: number;
    };
    await waitFor(
      () => !pidExists(pids.parent) && !pidExists(pids.grandchild),
      'the command tree to end',
    );
  });
});
