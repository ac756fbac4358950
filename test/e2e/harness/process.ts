// Child processes of the end-to-end suite: output kept in a log file (printed when a wait fails),
// stopped with TERM then KILL, and every one of them stopped by stopAll() in afterAll/afterEach.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';

export class ManagedProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private stdoutText = '';

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    readonly logFile: string,
    options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
  ) {
    const log = createWriteStream(logFile, { flags: 'a' });
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.stdoutText += chunk.toString();
      log.write(chunk);
    });
    this.child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.exited.finally(() => log.end());
    running.add(this);
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** TERM, then KILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    running.delete(this);
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

const running = new Set<ManagedProcess>();

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop(3000)));
}

/** Poll until `fn` gives a value; on timeout the error says what was awaited (and shows the logs). */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs: number,
  logs: ManagedProcess[] = [],
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) {
      const tails = logs
        .map((p) => `--- ${p.name} (${p.logFile}) ---\n${p.log().slice(-3000)}`)
        .join('\n');
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${tails ? `\n${tails}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** GET a URL until it answers 2xx (readiness endpoints). */
export async function waitHttpOk(
  url: string,
  proc: ManagedProcess,
  timeoutMs = 30_000,
): Promise<void> {
  await until(
    `${proc.name} at ${url}`,
    async () => {
      if (!proc.alive)
        throw new Error(
          `${proc.name} exited (code ${proc.child.exitCode}):\n${proc.log().slice(-3000)}`,
        );
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
        return res.ok;
      } catch {
        return false;
      }
    },
    timeoutMs,
    [proc],
  );
}
