// deploy/prometheus/prometheus.yml: promtool accepts it, and the end-to-end suite runs it with only
// ports, paths and timings changed.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  e2ePrometheusConfig,
  readShippedConfig,
  SHIPPED_PROMETHEUS_CONFIG,
} from '../e2e/harness/prometheus-config.js';
import { tempDir } from '../helpers/tmp.js';

const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const RULES = path.resolve('alerts/laneguard.rules.yml');

function promtool(args: string[]): { status: number | null; output: string } {
  const r = spawnSync(PROMTOOL, args, { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('deploy/prometheus/prometheus.yml', () => {
  it('passes promtool check config, with the shipped rules at the path it names', () => {
    const shipped = readFileSync(SHIPPED_PROMETHEUS_CONFIG, 'utf8');
    expect(shipped).toContain('  - /etc/prometheus/rules/laneguard.rules.yml\n');
    const dir = tempDir();
    const file = path.join(dir, 'prometheus.yml');
    writeFileSync(
      file,
      shipped.replace('  - /etc/prometheus/rules/laneguard.rules.yml\n', `  - ${RULES}\n`),
    );
    const { status, output } = promtool(['check', 'config', file]);
    expect(output).toMatch(/SUCCESS: 1 rule files found/);
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
    expect(status).toBe(0);
  });

  it('scrapes job "laneguard", loads the rules and sends to an Alertmanager', () => {
    const config = readShippedConfig();
    expect(config.scrape_configs.map((s) => s.job_name)).toEqual(['laneguard']);
    expect(config.scrape_configs[0]?.static_configs).toEqual([{ targets: ['127.0.0.1:9477'] }]);
    expect(config.alerting?.alertmanagers[0]?.static_configs).toEqual([
      { targets: ['127.0.0.1:9093'] },
    ]);
    // The rules' promtool tests assume this evaluation interval.
    expect(config.global.evaluation_interval).toBe('30s');
  });

  it('the end-to-end config differs from the shipped one only in ports, paths and timings', () => {
    const e2e = e2ePrometheusConfig({
      laneguard: ['127.0.0.1:40001', '127.0.0.1:40002'],
      rulesFile: '/tmp/x/rules.yml',
      alertmanagers: ['127.0.0.1:40003'],
      interval: '1s',
    });
    const shipped = readShippedConfig();
    expect(e2e.global).toEqual({
      ...shipped.global,
      scrape_interval: '1s',
      evaluation_interval: '1s',
      scrape_timeout: '900ms',
    });
    expect(e2e.rule_files).toEqual(['/tmp/x/rules.yml']);
    expect(e2e.alerting).toEqual({
      alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:40003'] }] }],
    });
    expect(e2e.scrape_configs).toEqual([
      {
        ...shipped.scrape_configs[0],
        static_configs: [{ targets: ['127.0.0.1:40001', '127.0.0.1:40002'] }],
      },
    ]);
    expect(Object.keys(e2e).sort()).toEqual(Object.keys(shipped).sort());
  });
});
