// A real full disk: a tiny tmpfs mounted over a directory and filled up. Needs root and a kernel
// that lets this process mount (true on the CI machine); tests that need it skip elsewhere.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function mount(dir: string): boolean {
  return (
    spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'laneguard-test', dir], {
      stdio: 'ignore',
    }).status === 0
  );
}

function unmount(dir: string): void {
  spawnSync('umount', [dir], { stdio: 'ignore' });
}

/** Whether this machine lets the tests mount a tmpfs (checked once, on a scratch directory). */
export const canMountTinyDisk: boolean = (() => {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(path.join(tmpdir(), 'laneguard-mount-'));
  const ok = mount(probe);
  if (ok) unmount(probe);
  rmdirSync(probe);
  return ok;
})();

/** Mount a 64 KiB tmpfs over `dir` and fill it: every later write there fails with ENOSPC. */
export function fullDisk(dir: string): { release(): void } {
  mkdirSync(dir, { recursive: true });
  if (!mount(dir)) throw new Error(`cannot mount a tmpfs on ${dir}`);
  const fd = openSync(path.join(dir, 'filler'), 'w');
  try {
    for (;;) writeSync(fd, Buffer.alloc(4096, 1));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return { release: () => unmount(dir) };
}
