// `laneguard demo` as a real process: "Ctrl-C stops the guard, the lanes and the model servers".
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAIN, waitFor } from '../helpers/cli.js';
import { killProcessesMentioning, processesMentioning } from '../helpers/tmp.js';

describe('laneguard demo', () => {
  it('a second Ctrl-C while it stops still leaves no lane worker behind', async () => {
    const child = spawn(process.execPath, [MAIN, 'demo', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const root = await waitFor(
      () => /building the sandbox fleet in (\S+) /.exec(out)?.[1],
      'the demo root',
    );
    try {
      await waitFor(
        () => processesMentioning(root).some((pid) => pid !== child.pid),
        'a lane worker started by the guard',
        40_000,
      );
      // The inspect commands it prints run as printed.
      const inspect = await waitFor(
        () => / {2}inspect {6}(.+ lanes)\n/.exec(out)?.[1],
        'the inspect command',
      );
      const lanes = spawnSync('sh', ['-c', inspect], { encoding: 'utf8', timeout: 60_000 });
      expect(lanes.stderr).toBe('');
      expect(lanes.stdout).toMatch(/^LANE\s+LOCAL\s+RUNNING/);
      child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGINT');
      await exit;
      await new Promise((r) => setTimeout(r, 500));
      expect(processesMentioning(root)).toEqual([]);
      expect(existsSync(root)).toBe(false);
    } finally {
      killProcessesMentioning(root);
      child.kill('SIGKILL');
    }
  }, 90_000);

  it('narrates the hung lane: found stalled, then restarted as a new process', async () => {
    const child = spawn(process.execPath, [MAIN, 'demo', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const root = await waitFor(
      () => /building the sandbox fleet in (\S+) /.exec(out)?.[1],
      'the demo root',
    );
    try {
      const found = await waitFor(
        () =>
          /found lane-hangs STALLED: alive \(pid (\d+)\) but no heartbeat for \d+s and no progress for \d+s/.exec(
            out,
          ),
        'the stall narrated',
        150_000,
      );
      const restarted = await waitFor(
        () =>
          /restarted stalled lane-hangs: pid (\d+) -> (\d+) \(stopped by the fleet's stop command\)/.exec(
            out,
          ),
        'the restart narrated',
        60_000,
      );
      expect(restarted[1]).toBe(found[1]);
      expect(restarted[2]).not.toBe(found[1]);
      expect(out.indexOf(found[0])).toBeLessThan(out.indexOf(restarted[0]));
      child.kill('SIGINT');
      await exit;
      await new Promise((r) => setTimeout(r, 500));
      expect(processesMentioning(root)).toEqual([]);
    } finally {
      killProcessesMentioning(root);
      child.kill('SIGKILL');
    }
  }, 240_000);
});
