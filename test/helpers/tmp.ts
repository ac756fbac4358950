import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { pidAlive, processArgv, trySignal } from '../../src/util/proc.js';
import { readdirSync } from 'node:fs';

const roots: string[] = [];

/** A fresh temp directory, removed (with every process whose command line names it) after the test. */
export function tempDir(prefix = 'laneguard-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  roots.push(dir);
  return dir;
}

/** Pids of live processes whose command line mentions `needle` (lane workers started under a root). */
export function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const argv = processArgv(pid);
    if (argv?.some((a) => a.includes(needle)) && pidAlive(pid)) pids.push(pid);
  }
  return pids;
}

/** Sandbox lane worker processes of one lane under one root. */
export function laneWorkers(root: string, laneId: string): number[] {
  return processesMentioning(root).filter((pid) => {
    const argv = processArgv(pid) ?? [];
    return argv.some((a) => a.endsWith('lane-worker.js')) && argv.includes(laneId);
  });
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
