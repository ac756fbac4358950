// The Prometheus config of the end-to-end suite is deploy/prometheus/prometheus.yml itself, with
// only ports, paths and timings put in: the targets (laneguard and Alertmanager ports), the rules
// file path and second-scale intervals so alerts fire within the test. Anything else in the file
// reaches the running Prometheus as shipped.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../grafana/panel-queries.js';
import { parseYamlFile } from '../../helpers/yaml.js';

export const SHIPPED_PROMETHEUS_CONFIG = path.join(
  REPO_ROOT,
  'deploy',
  'prometheus',
  'prometheus.yml',
);

export interface PrometheusConfigSubstitutions {
  /** host:port of the laneguard servers to scrape. */
  laneguard: string[];
  /** Rules file path, or none. */
  rulesFile?: string;
  /** host:port of the Alertmanagers; none drops the `alerting` section. */
  alertmanagers?: string[];
  /** Scrape and evaluation interval, e.g. `1s`. */
  interval?: string;
}

type Config = Record<string, unknown> & {
  global: Record<string, unknown>;
  rule_files: string[];
  alerting?: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
  scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
};

export function readShippedConfig(): Config {
  return parseYamlFile(readFileSync(SHIPPED_PROMETHEUS_CONFIG, 'utf8')) as Config;
}

export function e2ePrometheusConfig(sub: PrometheusConfigSubstitutions): Config {
  const config = readShippedConfig();
  const job = config.scrape_configs.find((s) => s.job_name === 'laneguard');
  if (!job || job.static_configs.length !== 1)
    throw new Error(
      `${SHIPPED_PROMETHEUS_CONFIG}: expected one static_configs entry in the laneguard scrape job`,
    );
  job.static_configs[0]!.targets = sub.laneguard;
  if (config.rule_files.length !== 1)
    throw new Error(`${SHIPPED_PROMETHEUS_CONFIG}: expected one rule file`);
  config.rule_files = sub.rulesFile ? [sub.rulesFile] : [];
  if (sub.alertmanagers?.length) {
    const am = config.alerting?.alertmanagers[0]?.static_configs[0];
    if (!am)
      throw new Error(`${SHIPPED_PROMETHEUS_CONFIG}: expected an Alertmanager static target`);
    am.targets = sub.alertmanagers;
  } else {
    delete config.alerting;
  }
  if (sub.interval) {
    config.global.scrape_interval = sub.interval;
    config.global.evaluation_interval = sub.interval;
    config.global.scrape_timeout = `${Math.max(100, Math.round(parseFloat(sub.interval) * 900))}ms`;
  }
  return config;
}
