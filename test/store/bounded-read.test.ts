// Every file is read with a cap checked while reading: endless or huge input fails fast and clearly.
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { FileTooLargeError, readCapped } from '../../src/store/bounded-read.js';
import { readJson } from '../../src/store/atomic.js';
import { laneguard } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

describe('bounded reads', () => {
  it('an endless file (/dev/zero) is refused one byte past the cap', () => {
    expect(() => readCapped('/dev/zero', 1024 * 1024)).toThrow(FileTooLargeError);
    expect(() => readCapped('/dev/zero', 1024 * 1024)).toThrow(
      'cannot read /dev/zero: larger than 1 MiB, the most laneguard reads of it (is it the right file?)',
    );
  });

  it('a regular file over the cap is refused; at the cap it is read whole', () => {
    const file = path.join(tempDir(), 'f');
    writeFileSync(file, 'x'.repeat(1000));
    expect(readCapped(file, 1000).length).toBe(1000);
    expect(() => readCapped(file, 999)).toThrow(FileTooLargeError);
  });

  it('a state file that is endless reads as corrupt (quarantined by its owner), never hangs', () => {
    const dir = tempDir();
    symlinkSync('/dev/zero', path.join(dir, 'state.json'));
    const read = readJson(path.join(dir, 'state.json'));
    expect(read).toMatchObject({
      status: 'corrupt',
      error: expect.stringMatching(/larger than 16 MiB/),
    });
  });

  it('replay /dev/zero fails fast with one line (exit 2)', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: 'http://127.0.0.1:9/v1' }],
      lanes: [],
    });
    const run = await laneguard(['--root', root, 'replay', '/dev/zero']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      'laneguard: /dev/zero: invalid payload (body_too_large): over server.body_limit_bytes (1048576); the receiver would answer 413',
    ]);
  }, 60_000);

  it('a config file that is endless is a config error naming the file (exit 2)', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: 'http://127.0.0.1:9/v1' }],
      lanes: [],
    });
    const fleet = path.join(root, 'config/local_model_fleet.json');
    rmSync(fleet);
    symlinkSync('/dev/zero', fleet);
    const run = await laneguard(['--root', root, 'config', 'check']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /config\/local_model_fleet\.json.*larger than 4 MiB, far more than any laneguard config; is it the right file\?/,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('a lane file over its cap is an error row naming the file, not a cut copy parsed', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: 'http://127.0.0.1:9/v1' }],
      lanes: [{ id: 'a', pending: 1 }],
    });
    const tasks = path.join(root, 'artifacts/tasks/a.json');
    writeFileSync(tasks, ' '.repeat(16 * 1024 * 1024 + 1));
    const run = await laneguard(['--root', root, 'lanes']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`ERROR a: lane_read: ${tasks} is larger than 16 MiB; not read`);
  }, 60_000);
});
