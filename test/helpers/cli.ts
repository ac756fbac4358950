import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CycleReport } from '../../src/guard/report.js';
import type { HistoryEvent } from '../../src/history/store.js';

export const MAIN = path.resolve('dist/main.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI as a real process (asynchronously, so in-process model servers keep answering). */
export function laneguard(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function readReport(root: string): CycleReport {
  return JSON.parse(
    readFileSync(path.join(root, 'artifacts/autonomy/local_models/idle_guard_report.json'), 'utf8'),
  ) as CycleReport;
}

export function readEvents(root: string): HistoryEvent[] {
  let text = '';
  try {
    text = readFileSync(
      path.join(root, 'artifacts/autonomy/local_models/idle_guard_history.ndjson'),
      'utf8',
    );
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as HistoryEvent);
}

export async function waitFor<T>(
  fn: () => T | undefined | null | false,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
