// `laneguard serve` as a real process (dist/main.js) on a sandbox fleet root with a webhook token.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HistoryEvent } from '../../../src/history/store.js';
import { buildSandboxRoot, type SandboxRootSpec } from '../../../src/sandbox/root.js';
import { MAIN, readEvents } from '../../helpers/cli.js';
import { ManagedProcess, until, waitHttpOk } from './process.js';

export const E2E_TOKEN = 'e2e-webhook-token-8d2f61a0';

/** A sandbox fleet root with config/webhook.token; returns the root and the token file. */
export function fleetRoot(
  root: string,
  spec: SandboxRootSpec,
): { root: string; tokenFile: string } {
  const guard = {
    ...spec.guard,
    server: { ...(spec.guard?.server as object | undefined), token_file: 'config/webhook.token' },
  };
  buildSandboxRoot(root, { ...spec, guard });
  const tokenFile = path.join(root, 'config', 'webhook.token');
  writeFileSync(tokenFile, `${E2E_TOKEN}\n`, { mode: 0o600 });
  return { root, tokenFile };
}

export class Laneguard {
  constructor(
    readonly root: string,
    readonly port: number,
    readonly process: ManagedProcess,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get webhookUrl(): string {
    return `${this.url}/alertmanager/webhook`;
  }

  events(type?: string): HistoryEvent[] {
    return readEvents(this.root).filter((e) => type === undefined || e.type === type);
  }

  /** Wait for a history event of `type` matching `match`. */
  waitEvent(
    type: string,
    match: (e: HistoryEvent) => boolean,
    what: string,
    timeoutMs: number,
    logs: ManagedProcess[] = [],
  ): Promise<HistoryEvent> {
    return until(what, () => this.events(type).find(match), timeoutMs, [this.process, ...logs]);
  }

  stop(): Promise<void> {
    return this.process.stop(15_000);
  }
}

/** Start `serve` on a fixed loopback port (Prometheus and Alertmanager are configured with it) and wait until ready. */
export async function startLaneguard(
  root: string,
  port: number,
  name = 'laneguard',
): Promise<Laneguard> {
  const logDir = path.join(root, 'e2e-logs');
  mkdirSync(logDir, { recursive: true });
  const proc = new ManagedProcess(
    name,
    process.execPath,
    [MAIN, '--root', root, 'serve', '--listen', `127.0.0.1:${port}`],
    path.join(logDir, `${name}.log`),
  );
  await until(
    `${name} to log its address`,
    () => {
      if (!proc.alive)
        throw new Error(`${name} exited (code ${proc.child.exitCode}):\n${proc.log()}`);
      return proc.stdout.includes(`laneguard serve on http://127.0.0.1:${port}`);
    },
    20_000,
    [proc],
  );
  const lg = new Laneguard(root, port, proc);
  await waitHttpOk(`${lg.url}/-/ready`, proc);
  return lg;
}
