// Detached start: own session, output appended to a log file, no pipe back to us.
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

export type SpawnResult =
  { ok: true; pid: number; exit: () => ExitInfo | null } | { ok: false; error: string };

export interface DetachedOptions {
  cwd: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the log before the child's own output, so each start is findable. */
  banner?: string;
}

/**
 * Start an argv without a shell in its own session (setsid), stdout and stderr appended to a log
 * file, so it outlives this process and whatever kills this process group.
 */
export function spawnDetached(
  argv: readonly string[],
  options: DetachedOptions,
): Promise<SpawnResult> {
  const [program, ...args] = argv;
  if (!program) return Promise.resolve({ ok: false, error: 'empty argv' });
  if (!existsSync(options.cwd))
    return Promise.resolve({ ok: false, error: `cwd ${options.cwd} does not exist` });
  let fd: number;
  try {
    mkdirSync(path.dirname(options.logFile), { recursive: true });
    if (options.banner) appendFileSync(options.logFile, `${options.banner}\n`);
    fd = openSync(options.logFile, 'a');
  } catch (err) {
    return Promise.resolve({
      ok: false,
      error: `cannot open log file ${options.logFile}: ${(err as Error).message}`,
    });
  }
  return new Promise((resolve) => {
    let exit: ExitInfo | null = null;
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      shell: false,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    const done = (result: SpawnResult): void => {
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
      resolve(result);
    };
    child.on('exit', (code, signal) => {
      exit = { code, signal };
    });
    child.once('error', (err) =>
      done({ ok: false, error: `cannot start ${program}: ${err.message}` }),
    );
    child.once('spawn', () => {
      // Not waited for: the child is reaped by us if it dies while we live, by init afterwards.
      child.unref();
      done({ ok: true, pid: child.pid!, exit: () => exit });
    });
  });
}
