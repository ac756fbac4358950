import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { processesMentioning as mentioning, trySignal } from '../../src/process/index.js';

const roots: string[] = [];

/** A fresh temp directory, removed (with every process whose command line names it) after the test. */
export function tempDir(prefix = 'laneguard-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  roots.push(dir);
  return dir;
}

/** Pids of live processes whose command line mentions `needle` (lane workers started under a root). */
export function processesMentioning(needle: string): number[] {
  return mentioning(needle).map((p) => p.pid);
}

/** Sandbox lane worker processes of one lane under one root. */
export function laneWorkers(root: string, laneId: string): number[] {
  return mentioning(root)
    .filter((p) => p.argv.some((a) => a.endsWith('lane-worker.js')) && p.argv.includes(laneId))
    .map((p) => p.pid);
}

export function killProcessesMentioning(needle: string): void {
  for (const pid of processesMentioning(needle)) trySignal(pid, 'SIGKILL');
}

afterEach(() => {
  for (const dir of roots.splice(0)) {
    killProcessesMentioning(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});
