// Several laneguard hosts behind one Prometheus and one Alertmanager: the shipped recipes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYamlFile } from '../helpers/yaml.js';

const AMTOOL = process.env.AMTOOL ?? 'amtool';
const PER_HOST = path.resolve('alerts/alertmanager-hosts.yml');
const FAN_OUT = path.resolve('alerts/alertmanager-fanout.yml');

function amtool(args: string[]): { status: number | null; output: string } {
  const r = spawnSync(AMTOOL, args, { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function routesTo(config: string, labels: Record<string, string>): string {
  const { status, output } = amtool([
    'config',
    'routes',
    'test',
    `--config.file=${config}`,
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  ]);
  expect(status).toBe(0);
  return output
    .split('\n')[0]!
    .replace(/Warning:.*$/, '')
    .trim();
}

interface Receiver {
  name: string;
  webhook_configs?: Array<{
    url: string;
    http_config?: { authorization?: { credentials_file?: string } };
  }>;
}

describe('alerts/alertmanager-hosts.yml (a receiver per host)', () => {
  it('passes amtool check-config', () => {
    const { status, output } = amtool(['check-config', PER_HOST]);
    expect(output).toContain('SUCCESS');
    expect(output).toContain('3 receivers');
    expect(status).toBe(0);
  });

  it.each([
    ['gpu-box-1:9477', 'laneguard-gpu-box-1,default'],
    ['gpu-box-2:9477', 'laneguard-gpu-box-2,default'],
    ['gpu-box-9:9477', 'default'],
  ])('routes a recovery alert of %s to %s', (instance, receivers) => {
    expect(
      routesTo(PER_HOST, {
        alertname: 'LaneguardFleetIdleWhileDemand',
        laneguard_action: 'recover',
        job: 'laneguard',
        instance,
      }),
    ).toBe(receivers);
  });

  it('sends alerts without laneguard_action to people only', () => {
    expect(
      routesTo(PER_HOST, {
        alertname: 'LaneguardEndpointDown',
        job: 'laneguard',
        instance: 'gpu-box-1:9477',
        endpoint: 'e1',
      }),
    ).toBe('default');
  });

  it("each host's receiver calls that host, with its own token", () => {
    const doc = parseYamlFile(readFileSync(PER_HOST, 'utf8')) as {
      route: { routes: Array<{ receiver: string; matchers: string[] }> };
      receivers: Receiver[];
    };
    const perHost = doc.route.routes.filter((r) => r.receiver.startsWith('laneguard-'));
    expect(perHost).toHaveLength(2);
    for (const route of perHost) {
      const instance = route.matchers.map((m) => /^instance="(.+)"$/.exec(m)?.[1]).find(Boolean);
      const receiver = doc.receivers.find((r) => r.name === route.receiver);
      expect(receiver?.webhook_configs).toHaveLength(1);
      const hook = receiver!.webhook_configs![0]!;
      expect(hook.url).toBe(`http://${instance}/alertmanager/webhook`);
      expect(hook.http_config?.authorization?.credentials_file).toContain(route.receiver);
    }
  });
});

describe('alerts/alertmanager-fanout.yml (every host gets every alert)', () => {
  it('passes amtool check-config and sends recovery alerts to every host', () => {
    const { status, output } = amtool(['check-config', FAN_OUT]);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
    expect(
      routesTo(FAN_OUT, {
        alertname: 'LaneguardLanesStarved',
        laneguard_action: 'recover_lane',
        job: 'laneguard',
        instance: 'gpu-box-2:9477',
        lane: 'a',
      }),
    ).toBe('laneguard-fleet,default');
    const doc = parseYamlFile(readFileSync(FAN_OUT, 'utf8')) as { receivers: Receiver[] };
    expect(
      doc.receivers.find((r) => r.name === 'laneguard-fleet')?.webhook_configs?.map((w) => w.url),
    ).toEqual([
      'http://gpu-box-1:9477/alertmanager/webhook',
      'http://gpu-box-2:9477/alertmanager/webhook',
    ]);
  });

  it('warns, in the file and in the docs, that fan-out needs webhook.instance and the host:port form behind one address', () => {
    for (const text of [
      readFileSync(FAN_OUT, 'utf8'),
      readFileSync(path.resolve('docs/webhook.md'), 'utf8'),
    ]) {
      expect(text).toMatch(
        /without it, every\s+(#\s+)?laneguard acts on every other\s+(#\s+)?host's alerts/i,
      );
      expect(text).toMatch(/host:port/);
    }
  });
});
