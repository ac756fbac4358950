// The laneguard `serve` under benchmark: a real child process from dist/, started with the command
// line `laneguard start` uses (node, serve's heap settings, dist/main.js … serve), the event-loop
// monitor preloaded, driven over loopback HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveCommand } from '../../src/serve/daemon.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const PACKAGE_ROOT = path.resolve(HERE, '../..');
export const MAIN = path.join(PACKAGE_ROOT, 'dist/main.js');
const MONITOR = path.join(HERE, 'loop-monitor.mjs');
export const TOKEN = 'bench-token-0123456789';

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export interface Answer {
  status: number;
  ms: number;
  body: string;
}

/** One HTTP request over a kept-alive loopback socket; `ms` is the client-side latency. */
export function request(
  url: string,
  options: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            ms: performance.now() - started,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface LoopWindow {
  samples: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  rss: number;
  heap_used: number;
  heap_total: number;
  external: number;
  array_buffers: number;
}

export class ServeChild {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    private readonly loopFile: string,
  ) {}

  /** `nodeArgs` come after serve's own node flags (a diagnosis run may override them). */
  static async start(root: string, nodeArgs: string[] = []): Promise<ServeChild> {
    const loopFile = path.join(root, 'bench-loop.json');
    const [node, ...args] = serveCommand(MAIN, root, ['--listen', '127.0.0.1:0']);
    args.splice(args.indexOf(MAIN), 0, ...nodeArgs, '--import', MONITOR);
    const child = spawn(node!, args, {
      env: {
        ...process.env,
        LANEGUARD_WEBHOOK_TOKEN: TOKEN,
        LANEGUARD_BENCH_LOOP_FILE: loopFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /laneguard serve on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) =>
        reject(new Error(`serve exited (${code}) before listening:\n${output}`)),
      );
    });
    child.stdout!.resume();
    child.stderr!.resume();
    return new ServeChild(child, url, loopFile);
  }

  /** Resident set size from /proc (bytes); null where there is no /proc. */
  rss(): number | null {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      return kb ? Number(kb) * 1024 : null;
    } catch {
      return null;
    }
  }

  /** Close the current event-loop window and return its figures (the child writes them on SIGUSR2). */
  async loopWindow(): Promise<LoopWindow> {
    rmSync(this.loopFile, { force: true });
    this.child.kill('SIGUSR2');
    for (let i = 0; i < 500 && !existsSync(this.loopFile); i++)
      await new Promise((r) => setTimeout(r, 10));
    for (let i = 0; i < 50; i++) {
      try {
        return JSON.parse(readFileSync(this.loopFile, 'utf8')) as LoopWindow;
      } catch {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    throw new Error('the serve under benchmark did not report its event-loop window');
  }

  /** One manual cycle, waited for; returns the cycle's own duration. */
  async cycle(): Promise<number> {
    const answer = await request(`${this.url}/api/v1/cycle?wait=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    if (answer.status !== 200)
      throw new Error(`cycle: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
    return (JSON.parse(answer.body) as { duration_ms: number }).duration_ms;
  }

  /** A counter's value from /metrics (sum over the label sets that contain `labels`). */
  async metric(name: string, labels = ''): Promise<number> {
    const { body } = await request(`${this.url}/metrics`);
    let sum = 0;
    for (const line of body.split('\n')) {
      if (!line.startsWith(name) || (labels && !line.includes(labels))) continue;
      if (line[name.length] !== '{' && line[name.length] !== ' ') continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}
