// Expected errors are one line; unexpected ones too, with the trace behind --debug.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/errors.js';
import { LockBusyError } from '../../src/guard/runner.js';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { FileError } from '../../src/store/file-error.js';
import { identify } from '../../src/process/index.js';
import { laneguard } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const children: Array<() => void> = [];
afterEach(() => {
  for (const kill of children.splice(0)) kill();
});

function lines(fn: (err: (l: string) => void) => number): { code: number; out: string[] } {
  const out: string[] = [];
  const code = fn((l) => out.push(...l.split('\n')));
  return { code, out };
}

const fleet = () => ({
  endpoints: [{ id: 'lm', base_url: 'http://127.0.0.1:9/v1' }],
  lanes: [{ id: 'a', pending: 0 }],
});

describe('errors an operator can cause', () => {
  it('once --lock-wait 0 beside a running cycle: one line naming the lock, exit 1', async () => {
    const root = buildSandboxRoot(tempDir(), fleet());
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    children.push(() => holder.kill('SIGKILL'));
    const lock = path.join(root, 'artifacts/autonomy/local_models/idle_guard.lock');
    mkdirSync(path.dirname(lock), { recursive: true });
    writeFileSync(
      lock,
      JSON.stringify({
        pid: holder.pid,
        host: hostname(),
        at: new Date().toISOString(),
        start: identify(holder.pid!)?.start ?? null,
      }),
    );
    const run = await laneguard(['--root', root, 'once', '--lock-wait', '0']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      `laneguard: another guard cycle holds ${lock} (waited 0s)`,
    ]);
  }, 60_000);

  it('a lock directory that cannot be made (a file is in the way): one line naming the lock', async () => {
    const root = buildSandboxRoot(tempDir(), {
      ...fleet(),
      guard: { lock_file: 'blocker/idle_guard.lock' },
    });
    writeFileSync(path.join(root, 'blocker'), 'a file, not a directory');
    const run = await laneguard(['--root', root, 'once']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      `laneguard: cannot create ${path.join(root, 'blocker/idle_guard.lock')}: a file is in the way`,
    ]);
  }, 60_000);

  it('maps file errors, a busy lock and raw errno errors to one line and exit 1', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      syscall: 'write',
    });
    expect(lines((e) => reportError(new FileError('write', '/r/state.json', enospc), e))).toEqual({
      code: 1,
      out: ['laneguard: cannot write /r/state.json: no space left on device'],
    });
    expect(lines((e) => reportError(new LockBusyError('/r/x.lock', 0), e))).toEqual({
      code: 1,
      out: ['laneguard: another guard cycle holds /r/x.lock (waited 0s)'],
    });
    const eacces = Object.assign(new Error("EACCES: permission denied, open '/r/f'"), {
      code: 'EACCES',
      syscall: 'open',
      path: '/r/f',
    });
    expect(lines((e) => reportError(eacces, e))).toEqual({
      code: 1,
      out: ['laneguard: open /r/f: permission denied'],
    });
  });

  it('an unexpected error is one line with a hint; --debug adds the stack trace', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
    const plain = lines((e) => reportError(bug, e));
    expect(plain).toEqual({
      code: 1,
      out: [
        "laneguard: internal error: Cannot read properties of undefined (reading 'x') (run with --debug for the stack trace)",
      ],
    });
    const debug = lines((e) => reportError(bug, e, true));
    expect(debug.code).toBe(1);
    expect(debug.out[0]).toBe(
      "laneguard: TypeError: Cannot read properties of undefined (reading 'x')",
    );
    expect(debug.out.slice(1).some((l) => /^\s+at /.test(l))).toBe(true);
  });

  it('--debug is accepted before or after the command', async () => {
    const root = buildSandboxRoot(tempDir(), fleet());
    for (const args of [
      ['--debug', '--root', root, 'lanes'],
      ['--root', root, 'lanes', '--debug'],
    ]) {
      const run = await laneguard(args);
      expect(run.stderr, args.join(' ')).toBe('');
      expect(run.code).toBe(0);
    }
  }, 60_000);
});
