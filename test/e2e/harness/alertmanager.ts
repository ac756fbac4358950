// A real Alertmanager on loopback running the shipped example configuration
// (alerts/alertmanager.yml) with the webhook URL, the token file and the timings of the test put in.
// Optionally clustered with peers over loopback gossip.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../grafana/panel-queries.js';
import { freePort, freePorts } from './ports.js';
import { ManagedProcess, until, waitHttpOk } from './process.js';

export const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';
export const ALERTMANAGER_EXAMPLE = path.join(REPO_ROOT, 'alerts', 'alertmanager.yml');

export interface Timings {
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
}

export const SHORT: Timings = { groupWait: '1s', groupInterval: '1s', repeatInterval: '1h' };

function replaceAll(source: string, pattern: RegExp, value: string, what: string): string {
  if (!pattern.test(source))
    throw new Error(
      `${ALERTMANAGER_EXAMPLE}: no ${what} to replace; update test/e2e/harness/alertmanager.ts`,
    );
  return source.replace(pattern, value);
}

/** The shipped example with this test's receiver URL, token file and timings (every route). */
export function exampleConfig(webhookUrl: string, tokenFile: string, timings: Timings): string {
  let text = readFileSync(ALERTMANAGER_EXAMPLE, 'utf8');
  text = replaceAll(
    text,
    /url: http:\/\/127\.0\.0\.1:9477\/alertmanager\/webhook/g,
    `url: ${webhookUrl}`,
    'webhook url',
  );
  text = replaceAll(
    text,
    /credentials_file: \S+/g,
    `credentials_file: ${tokenFile}`,
    'credentials_file',
  );
  text = replaceAll(text, /group_wait: \S+/g, `group_wait: ${timings.groupWait}`, 'group_wait');
  text = replaceAll(
    text,
    /group_interval: \S+/g,
    `group_interval: ${timings.groupInterval}`,
    'group_interval',
  );
  return replaceAll(
    text,
    /repeat_interval: \S+/g,
    `repeat_interval: ${timings.repeatInterval}`,
    'repeat_interval',
  );
}

export interface AlertmanagerOptions {
  dir: string;
  name: string;
  webhookUrl: string;
  tokenFile: string;
  timings?: Timings;
  /** A whole config to run instead of the shipped example with URL, token and timings put in. */
  configText?: string;
  /** Gossip on this loopback port and join these peers (host:port); no cluster when absent. */
  cluster?: { port: number; peers: string[]; peerTimeout?: string };
}

export interface AmAlert {
  labels: Record<string, string>;
  fingerprint: string;
  startsAt: string;
  status: { state: string };
}

export class Alertmanager {
  constructor(
    readonly name: string,
    readonly url: string,
    readonly process: ManagedProcess,
  ) {}

  get address(): string {
    return this.url.replace(/^http:\/\//, '');
  }

  async alerts(): Promise<AmAlert[]> {
    const res = await fetch(`${this.url}/api/v2/alerts`);
    return (await res.json()) as AmAlert[];
  }

  async peers(): Promise<string[]> {
    const res = await fetch(`${this.url}/api/v2/status`);
    const status = (await res.json()) as { cluster?: { peers?: Array<{ address: string }> } };
    return (status.cluster?.peers ?? []).map((p) => p.address);
  }

  /** Inject an alert through the API, as a Prometheus would (used where the rule path is not under test). */
  async post(
    alerts: Array<{ labels: Record<string, string>; startsAt: string; endsAt: string }>,
  ): Promise<void> {
    const res = await fetch(`${this.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    if (!res.ok)
      throw new Error(
        `${this.name}: POST /api/v2/alerts answered ${res.status}: ${await res.text()}`,
      );
  }

  /** Successful webhook notifications so far, from its own metrics. */
  async notificationsSent(): Promise<number> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    const m = /^alertmanager_notifications_total\{integration="webhook"\} (\S+)$/m.exec(text);
    const failed = /^alertmanager_notifications_failed_total\{integration="webhook"\} (\S+)$/m.exec(
      text,
    );
    return Number(m?.[1] ?? 0) - Number(failed?.[1] ?? 0);
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}

export async function startAlertmanager(options: AlertmanagerOptions): Promise<Alertmanager> {
  if (!existsSync(ALERTMANAGER_BIN))
    throw new Error(
      `Alertmanager not found at ${ALERTMANAGER_BIN}; install the Debian package prometheus-alertmanager or set ALERTMANAGER_BIN`,
    );
  const dir = path.join(options.dir, options.name);
  mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'alertmanager.yml');
  writeFileSync(
    configFile,
    options.configText ??
      exampleConfig(options.webhookUrl, options.tokenFile, options.timings ?? SHORT),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const cluster = options.cluster
    ? [
        `--cluster.listen-address=127.0.0.1:${options.cluster.port}`,
        `--cluster.advertise-address=127.0.0.1:${options.cluster.port}`,
        ...options.cluster.peers.map((p) => `--cluster.peer=${p}`),
        '--cluster.gossip-interval=50ms',
        '--cluster.pushpull-interval=1s',
        '--cluster.settle-timeout=5s',
        `--cluster.peer-timeout=${options.cluster.peerTimeout ?? '15s'}`,
      ]
    : ['--cluster.listen-address='];
  const proc = new ManagedProcess(
    options.name,
    ALERTMANAGER_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...cluster,
      '--log.level=debug',
    ],
    path.join(dir, 'alertmanager.log'),
  );
  await waitHttpOk(`${url}/-/ready`, proc);
  return new Alertmanager(options.name, url, proc);
}

/** Wait until every Alertmanager lists all the others as cluster peers. */
export async function waitForCluster(members: Alertmanager[], timeoutMs = 30_000): Promise<void> {
  await until(
    'the Alertmanager cluster to form',
    async () => {
      const peers = await Promise.all(members.map((m) => m.peers()));
      return peers.every((p) => p.length === members.length);
    },
    timeoutMs,
    members.map((m) => m.process),
  );
}

/**
 * Two clustered Alertmanagers in front of one laneguard, formed and ready. A 10 ms peer timeout: each
 * member delivers without waiting for the other's notification log to arrive by gossip, as a cluster
 * under a partition or slow gossip would, so the receiver sees every alert twice.
 */
export async function startClusteredAlertmanagers(options: {
  dir: string;
  webhookUrl: string;
  tokenFile: string;
}): Promise<[Alertmanager, Alertmanager]> {
  const [gossipA, gossipB] = await freePorts(2);
  const cluster = (own: number, peer: number) => ({
    port: own,
    peers: [`127.0.0.1:${peer}`],
    peerTimeout: '10ms',
  });
  const amA = await startAlertmanager({
    ...options,
    name: 'alertmanager-a',
    cluster: cluster(gossipA!, gossipB!),
  });
  const amB = await startAlertmanager({
    ...options,
    name: 'alertmanager-b',
    cluster: cluster(gossipB!, gossipA!),
  });
  await waitForCluster([amA, amB]);
  return [amA, amB];
}
