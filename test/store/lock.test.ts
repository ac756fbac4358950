import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tryAcquireLock } from '../../src/store/lock.js';
import { identify, processTable } from '../../src/process/index.js';
import { tempDir } from '../helpers/tmp.js';

describe('root-wide cycle lock', () => {
  it('is exclusive and released', () => {
    const file = path.join(tempDir(), 'guard.lock');
    const first = tryAcquireLock(file)!;
    expect(first).not.toBeNull();
    expect(tryAcquireLock(file)).toBeNull();
    first.release();
    expect(existsSync(file)).toBe(false);
    expect(tryAcquireLock(file)).not.toBeNull();
  });

  it('a dead holder does not keep it', async () => {
    const file = path.join(tempDir(), 'guard.lock');
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.once('exit', r));
    writeFileSync(
      file,
      JSON.stringify({ pid: child.pid, host: hostname(), at: new Date().toISOString() }),
    );
    expect(tryAcquireLock(file)).not.toBeNull();
  });

  it('a live holder on this host keeps it; one on another host is never broken', () => {
    const file = path.join(tempDir(), 'guard.lock');
    writeFileSync(
      file,
      JSON.stringify({ pid: process.ppid, host: hostname(), at: new Date().toISOString() }),
    );
    expect(tryAcquireLock(file)).toBeNull();
    writeFileSync(
      file,
      JSON.stringify({ pid: 999999, host: 'another-host', at: new Date().toISOString() }),
    );
    expect(tryAcquireLock(file)).toBeNull();
  });

  it('a holder whose pid was reused by another process does not keep it', () => {
    const file = path.join(tempDir(), 'guard.lock');
    // A start token of this backend that the live parent process does not have.
    writeFileSync(
      file,
      JSON.stringify({
        pid: process.ppid,
        host: hostname(),
        at: new Date().toISOString(),
        start: `${processTable().name}:1`,
      }),
    );
    expect(tryAcquireLock(file)).not.toBeNull();
  });

  it.runIf(processTable().name === 'proc')(
    'a lock written by an older laneguard (start in clock ticks) is judged the same way',
    () => {
      const file = path.join(tempDir(), 'guard.lock');
      writeFileSync(
        file,
        JSON.stringify({
          pid: process.ppid,
          host: hostname(),
          at: new Date().toISOString(),
          start: 1,
        }),
      );
      expect(tryAcquireLock(file)).not.toBeNull();
    },
  );

  it('the lock names its holder with a start token, and a live holder with that token keeps it', () => {
    const file = path.join(tempDir(), 'guard.lock');
    const held = tryAcquireLock(file);
    expect(held).not.toBeNull();
    const owner = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; start: string };
    expect(owner.start).toMatch(new RegExp(`^${processTable().name}:\\d+$`));
    writeFileSync(
      file,
      JSON.stringify({ ...owner, pid: process.ppid, start: identify(process.ppid)!.start }),
    );
    expect(tryAcquireLock(file)).toBeNull();
  });
});
