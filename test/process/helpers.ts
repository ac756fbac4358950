import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { PROCESS_TABLE_ENV, type BackendName } from '../../src/process/index.js';

export const BACKEND_NAMES: BackendName[] = ['proc', 'ps'];

/** Run a describe block's tests with the process layer forced to one backend. */
export function useBackend(name: BackendName): void {
  let before: string | undefined;
  beforeAll(() => {
    before = process.env[PROCESS_TABLE_ENV];
    process.env[PROCESS_TABLE_ENV] = name;
  });
  afterAll(() => {
    if (before === undefined) delete process.env[PROCESS_TABLE_ENV];
    else process.env[PROCESS_TABLE_ENV] = before;
  });
}

/** A detached node process running `code`, with `marker` on its command line; killed by tmp.ts via the dir. */
export function startNode(
  code: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ pid: number; output: () => string }> {
  const child = spawn(process.execPath, ['-e', code, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.unref();
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => resolve({ pid: child.pid!, output: () => out }));
  });
}

export const SLEEPER = 'setInterval(() => {}, 1000)';
export const DEAF_TO_TERM =
  "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready')";

/**
 * A stand-in for a laneguard daemon: a script named main.js under `dir`, so its command line reads
 * like `node …/main.js --root ROOT serve`. With `deaf`, it ignores SIGTERM, and the promise
 * resolves only once its handler is installed (a TERM sent before that would still kill it).
 */
export async function fakeLaneguard(
  dir: string,
  args: string[],
  options: { deaf?: boolean; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<number> {
  const bin = path.join(dir, 'fake-laneguard');
  mkdirSync(bin, { recursive: true });
  const main = path.join(bin, 'main.js');
  const ready = path.join(bin, `ready-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(
    main,
    options.deaf
      ? "process.on('SIGTERM', () => {}); require('node:fs').writeFileSync(process.env.FAKE_LANEGUARD_READY, ''); setInterval(() => {}, 1000);\n"
      : 'setInterval(() => {}, 1000);\n',
  );
  const child = spawn(process.execPath, [main, ...args], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, ...options.env, FAKE_LANEGUARD_READY: ready },
    cwd: options.cwd,
  });
  child.unref();
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => resolve(child.pid!));
  });
  for (let i = 0; options.deaf && !existsSync(ready); i++) {
    if (i >= 300)
      throw new Error(`the fake daemon ${pid} did not install its TERM handler in 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return pid;
}
