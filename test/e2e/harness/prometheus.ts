// A real Prometheus on loopback started from the shipped deploy/prometheus/prometheus.yml with 1 s
// scrape and evaluation intervals, scraping laneguard under job="laneguard" and sending alerts to
// the given Alertmanagers. The config is written as JSON (valid YAML).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../grafana/panel-queries.js';
import { freePort } from './ports.js';
import { e2ePrometheusConfig } from './prometheus-config.js';
import { ManagedProcess, until, waitHttpOk } from './process.js';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const RULES_FILE = path.join(REPO_ROOT, 'alerts', 'laneguard.rules.yml');

export interface PromAnswer {
  status: 'success' | 'error';
  error?: string;
  errorType?: string;
  warnings?: string[];
  data?: {
    resultType: string;
    result: Array<{ metric: Record<string, string>; value?: [number, string]; values?: unknown[] }>;
  };
}

export interface ActiveAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
}

/**
 * The shipped rules with every `for:` window replaced (the real file is never edited), so alerts
 * fire within seconds. Nothing else changes: expressions, labels and annotations are the shipped ones.
 */
export function shortenedRules(dir: string, forValue = '1s'): string {
  const source = readFileSync(RULES_FILE, 'utf8');
  const windows = source.match(/^\s+for: \S+$/gm) ?? [];
  if (windows.length < 10)
    throw new Error(`expected a for: line per alert in ${RULES_FILE}, found ${windows.length}`);
  const file = path.join(dir, 'laneguard.rules.yml');
  writeFileSync(file, source.replace(/^(\s+)for: \S+$/gm, `$1for: ${forValue}`));
  return file;
}

export interface PrometheusOptions {
  dir: string;
  /** host:port of laneguard servers to scrape. */
  laneguard: string[];
  rulesFile?: string;
  /** host:port of Alertmanagers to send alerts to. */
  alertmanagers?: string[];
}

export class Prometheus {
  constructor(
    readonly url: string,
    readonly process: ManagedProcess,
  ) {}

  async api(route: string, params: Record<string, string> = {}): Promise<PromAnswer> {
    const res = await fetch(`${this.url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params),
    });
    return (await res.json()) as PromAnswer;
  }

  query(expr: string): Promise<PromAnswer> {
    return this.api('/api/v1/query', { query: expr });
  }

  async alerts(): Promise<ActiveAlert[]> {
    const res = await fetch(`${this.url}/api/v1/alerts`);
    return ((await res.json()) as { data: { alerts: ActiveAlert[] } }).data.alerts;
  }

  /** Wait until the laneguard target has been scraped successfully. */
  async waitForTargetUp(timeoutMs = 30_000): Promise<void> {
    await until(
      'Prometheus to scrape laneguard (up{job="laneguard"} == 1)',
      async () => {
        const answer = await this.query('up{job="laneguard"} == 1');
        return (answer.data?.result.length ?? 0) > 0;
      },
      timeoutMs,
      [this.process],
    );
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}

export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  if (!existsSync(PROMETHEUS_BIN))
    throw new Error(
      `Prometheus not found at ${PROMETHEUS_BIN}; install the Debian package prometheus or set PROMETHEUS_BIN`,
    );
  const dir = path.join(options.dir, 'prometheus');
  mkdirSync(dir, { recursive: true });
  // deploy/prometheus/prometheus.yml with only ports, paths and timings put in.
  const config = e2ePrometheusConfig({
    laneguard: options.laneguard,
    rulesFile: options.rulesFile,
    alertmanagers: options.alertmanagers,
    interval: '1s',
  });
  const configFile = path.join(dir, 'prometheus.yml');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = new ManagedProcess(
    'prometheus',
    PROMETHEUS_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Firing alerts are re-sent to Alertmanager every second (default 1 m), as the short windows need.
      '--rules.alert.resend-delay=1s',
      '--log.level=info',
    ],
    path.join(dir, 'prometheus.log'),
  );
  await waitHttpOk(`${url}/-/ready`, proc);
  return new Prometheus(url, proc);
}
