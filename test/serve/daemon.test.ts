import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { pidAlive } from '../../src/process/index.js';
import { SERVE_NODE_FLAGS } from '../../src/serve/node-flags.js';
import { laneguard, waitFor } from '../helpers/cli.js';
import { startServe } from '../helpers/serve-process.js';
import { tempDir } from '../helpers/tmp.js';

const PID = 'artifacts/autonomy/local_models/idle_guard.pid';

function fleetRoot(): string {
  return buildSandboxRoot(tempDir(), {
    endpoints: [],
    lanes: [],
    guard: { server: { listen: '127.0.0.1:0' } },
  });
}

describe('laneguard start / stop / status', () => {
  it('round trip: start, status, start again (no second daemon), stop, status', async () => {
    const root = fleetRoot();
    const start = await laneguard(['--root', root, 'start']);
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(/^started \(pid (\d+)\)/);
    const pid = Number(/pid (\d+)/.exec(start.stdout)![1]);
    expect(Number(readFileSync(path.join(root, PID), 'utf8'))).toBe(pid);
    // With serve's heap settings, before the entry point (node reads its flags only there).
    if (existsSync(`/proc/${pid}/cmdline`)) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const main = argv.findIndex((a) => a.endsWith('main.js'));
      expect(argv.slice(1, main)).toEqual(expect.arrayContaining([...SERVE_NODE_FLAGS]));
    }
    const status = await laneguard(['--root', root, 'status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      running: true,
      pid,
      foreign_pid: false,
      uptime_sec: expect.any(Number),
    });
    const again = await laneguard(['--root', root, 'start']);
    expect(again.stderr).toBe('');
    expect(again.stdout).toBe(`already running (pid ${pid})\n`);
    const stop = await laneguard(['--root', root, 'stop']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toBe(`stopped (pid ${pid})\n`);
    expect(pidAlive(pid)).toBe(false);
    const after = await laneguard(['--root', root, 'status']);
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/laneguard serve is not running/);
    expect(
      readFileSync(path.join(root, 'artifacts/autonomy/local_models/idle_guard.log'), 'utf8'),
    ).toMatch(/laneguard serve on http:\/\/127\.0\.0\.1:\d+/);
  });

  it('a stale pid file naming an unrelated live process: never signalled, start replaces it', async () => {
    const root = fleetRoot();
    const unrelated = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], {
      stdio: 'ignore',
    });
    try {
      await waitFor(() => unrelated.pid && pidAlive(unrelated.pid), 'the unrelated process');
      mkdirSync(path.dirname(path.join(root, PID)), { recursive: true });
      writeFileSync(path.join(root, PID), `${unrelated.pid}\n`);
      const status = await laneguard(['--root', root, 'status']);
      expect(status.stdout).toMatch(/not running \(the pid file names an unrelated process\)/);
      const stop = await laneguard(['--root', root, 'stop', '--grace', '1']);
      expect(stop.code).toBe(1);
      expect(stop.stdout).toMatch(/is not laneguard serve; not signalling it/);
      expect(pidAlive(unrelated.pid!)).toBe(true);
      const start = await laneguard(['--root', root, 'start']);
      expect(start.code).toBe(0);
      const pid = Number(/pid (\d+)/.exec(start.stdout)![1]);
      expect(pid).not.toBe(unrelated.pid);
      expect((await laneguard(['--root', root, 'stop'])).code).toBe(0);
      expect(pidAlive(unrelated.pid!)).toBe(true);
    } finally {
      unrelated.kill('SIGKILL');
    }
  });

  it('a stale pid file naming the serve of another root: never signalled, not reported as ours, start replaces it', async () => {
    const other = fleetRoot();
    const otherServe = await startServe(other);
    const root = fleetRoot();
    try {
      const otherPid = otherServe.child.pid!;
      mkdirSync(path.dirname(path.join(root, PID)), { recursive: true });
      writeFileSync(path.join(root, PID), `${otherPid}\n`);
      const status = await laneguard(['--root', root, 'status', '--json']);
      expect(JSON.parse(status.stdout)).toMatchObject({ running: false, foreign_pid: true });
      const stop = await laneguard(['--root', root, 'stop', '--grace', '1']);
      expect(stop.code).toBe(1);
      expect(stop.stdout).toMatch(/is not laneguard serve; not signalling it/);
      expect(pidAlive(otherPid)).toBe(true);
      const start = await laneguard(['--root', root, 'start']);
      expect(start.code).toBe(0);
      const pid = Number(/pid (\d+)/.exec(start.stdout)![1]);
      expect(pid).not.toBe(otherPid);
      expect((await laneguard(['--root', root, 'stop'])).code).toBe(0);
      expect(pidAlive(otherPid)).toBe(true);
    } finally {
      otherServe.child.kill('SIGTERM');
      await otherServe.exit;
    }
  });

  it('reports a serve that dies during start-up with its log', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [],
      lanes: [],
      guard: { server: { listen: '0.0.0.0:0' } },
    });
    const start = await laneguard(['--root', root, 'start'], {
      env: { LANEGUARD_WEBHOOK_TOKEN: '' },
    });
    expect(start.code).toBe(1);
    expect(start.stdout).toMatch(/serve exited during start-up/);
    expect(start.stdout).toMatch(/refusing to listen on 0\.0\.0\.0:0 without a token/);
  });
});
