// The argv runner: no shell, own process group, a timeout that takes the whole tree down.
import { spawn } from 'node:child_process';
import { descendants, type Identity } from './facts.js';
import { snapshot } from './select.js';
import { trySignal } from './signal.js';
import { sameStart } from './table.js';

export interface RunOptions {
  timeoutMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Bytes of combined output kept (the tail). */
  keepBytes?: number;
  /** Grace between TERM and KILL on timeout. */
  killGraceMs?: number;
  signal?: AbortSignal;
}

/** Success and failure come back in the same shape; nothing throws. */
export interface RunResult {
  argv: string[];
  ok: boolean;
  failed: boolean;
  timedOut: boolean;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** Last `keepBytes` of stdout and stderr, interleaved as they arrived. */
  output: string;
  pid: number | null;
  error: string | null;
}

export type Runner = (argv: readonly string[], options: RunOptions) => Promise<RunResult>;

class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.limit && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
    }
  }
  toString(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8');
  }
}

/** setTimeout fires after 1 ms for any longer delay (with only a warning): cap there instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Signal the process group and every process in `tree` that is still the one first seen. */
function killTree(pid: number, tree: readonly Identity[], signal: NodeJS.Signals): void {
  trySignal(-pid, signal);
  trySignal(pid, signal);
  if (tree.length === 0) return;
  try {
    const snap = snapshot();
    for (const child of tree) {
      const now = snap.get(child.pid);
      if (now && child.start !== null && sameStart(child.start, now.start))
        trySignal(child.pid, signal);
    }
  } catch {
    // No process table (ps vanished): the group signal above is all that is safe to send.
  }
}

/** Descendants as first seen; none when the table cannot be read (this runs in a timer). */
function treeOf(pid: number): Identity[] {
  try {
    return descendants(pid);
  } catch {
    return [];
  }
}

/** The environment for fleet commands: laneguard's own secrets are not passed on. */
export function commandEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { LANEGUARD_WEBHOOK_TOKEN: _token, ...rest } = env;
  return rest;
}

/**
 * Run an argv without a shell, in its own process group, bounded by a timeout that kills the whole
 * tree. Resolves when the process exits: a child that daemonised and still holds the output pipe
 * does not keep us waiting.
 */
export function runArgv(argv: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const tail = new Tail(options.keepBytes ?? 2048);
  const base = { argv: [...argv], pid: null as number | null };
  const [program, ...args] = argv;
  return new Promise((resolve) => {
    if (!program) {
      resolve({
        ...base,
        ok: false,
        failed: true,
        timedOut: false,
        exitCode: null,
        signal: null,
        durationMs: 0,
        output: '',
        error: 'empty argv',
      });
      return;
    }
    let timedOut = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    // Descendants seen when the kill began: once the parent is gone they can no longer be found.
    let doomed: Identity[] = [];
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env ?? commandEnv(),
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    base.pid = child.pid ?? null;
    child.stdout.on('data', (c: Buffer) => tail.push(c));
    child.stderr.on('data', (c: Buffer) => tail.push(c));

    const finish = (exitCode: number | null, signal: string | null, error: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      // Give buffered output a moment, then stop listening even if a grandchild keeps the pipe open.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        const failed = timedOut || error !== null || exitCode !== 0;
        resolve({
          ...base,
          ok: !failed,
          failed,
          timedOut,
          exitCode,
          signal,
          durationMs: Math.round(performance.now() - started),
          output: tail.toString(),
          error: timedOut
            ? `timed out after ${options.timeoutMs} ms`
            : options.signal?.aborted
              ? 'cancelled: laneguard is stopping'
              : error,
        });
      }, 50);
    };

    const terminate = (): void => {
      const pid = child.pid;
      if (pid === undefined || killTimer) return;
      doomed = treeOf(pid);
      killTree(pid, doomed, 'SIGTERM');
      killTimer = setTimeout(
        () => killTree(pid, [...doomed, ...treeOf(pid)], 'SIGKILL'),
        Math.min(options.killGraceMs ?? 2000, MAX_TIMER_MS),
      );
    };
    const onAbort = (): void => terminate();
    const timer = setTimeout(
      () => {
        timedOut = true;
        terminate();
      },
      Math.min(options.timeoutMs, MAX_TIMER_MS),
    );
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (err) => finish(null, null, err.message));
    child.on('exit', (code, signal) => {
      // The direct child is gone; anything it left in its group on timeout still gets the KILL.
      if (timedOut && child.pid !== undefined) killTree(child.pid, doomed, 'SIGKILL');
      finish(code, signal, null);
    });
  });
}
