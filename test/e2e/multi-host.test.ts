// Several hosts behind one Alertmanager: the shipped alerts/alertmanager-hosts.yml run by a real
// Alertmanager, with only the hosts' addresses, token files and timings put in. Each host's
// receiver (a loopback server standing in for that host's laneguard webhook) gets its own
// recovery alerts and nothing else.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAlertmanager, type Alertmanager } from './harness/alertmanager.js';
import { until } from './harness/process.js';

const SHIPPED = path.resolve('alerts/alertmanager-hosts.yml');
const dir = mkdtempSync(path.join(tmpdir(), 'laneguard-e2e-hosts-'));
const servers: Server[] = [];
let am: Alertmanager | undefined;

afterAll(async () => {
  await am?.stop();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(dir, { recursive: true, force: true });
});

interface Call {
  authorization: string | undefined;
  alerts: Array<{ status: string; labels: Record<string, string> }>;
}

async function recorder(): Promise<{ url: string; calls: Call[] }> {
  const calls: Call[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls.push({
        authorization: req.headers.authorization,
        alerts: (JSON.parse(body) as Call).alerts,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alertmanager/webhook`,
    calls,
  };
}

describe('a receiver per host (alerts/alertmanager-hosts.yml)', () => {
  it("routes each host's recovery alerts to that host only, with that host's token", async () => {
    const hosts = { 'gpu-box-1': await recorder(), 'gpu-box-2': await recorder() };
    let config = readFileSync(SHIPPED, 'utf8');
    for (const [host, rec] of Object.entries(hosts)) {
      const tokenFile = path.join(dir, `${host}.token`);
      writeFileSync(tokenFile, `token-of-${host}\n`);
      config = config
        .replace(`url: http://${host}:9477/alertmanager/webhook`, `url: ${rec.url}`)
        .replace(
          `credentials_file: /etc/alertmanager/laneguard-${host}.token`,
          `credentials_file: ${tokenFile}`,
        );
    }
    config = config
      .replace(/group_wait: \S+/g, 'group_wait: 1s')
      .replace(/group_interval: \S+/g, 'group_interval: 1s');
    expect(config).not.toMatch(/gpu-box-\d:9477\/alertmanager|\/etc\/alertmanager/);
    am = await startAlertmanager({
      dir,
      name: 'am-hosts',
      webhookUrl: '',
      tokenFile: '',
      configText: config,
    });

    const now = new Date();
    const alert = (labels: Record<string, string>) => ({
      labels: { job: 'laneguard', severity: 'warning', ...labels },
      startsAt: now.toISOString(),
      endsAt: new Date(now.getTime() + 600_000).toISOString(),
    });
    await am.post([
      alert({
        alertname: 'LaneguardFleetIdleWhileDemand',
        laneguard_action: 'recover',
        instance: 'gpu-box-1:9477',
      }),
      alert({
        alertname: 'LaneguardLanesStarved',
        laneguard_action: 'recover_lane',
        instance: 'gpu-box-2:9477',
        lane: 'b',
      }),
      // For people only: no laneguard receiver gets it.
      alert({ alertname: 'LaneguardEndpointDown', instance: 'gpu-box-1:9477', endpoint: 'e1' }),
      // A host without a route: nobody's laneguard acts on it.
      alert({
        alertname: 'LaneguardFleetIdleWhileDemand',
        laneguard_action: 'recover',
        instance: 'gpu-box-9:9477',
      }),
    ]);
    await until(
      'both hosts notified',
      async () => hosts['gpu-box-1'].calls.length > 0 && hosts['gpu-box-2'].calls.length > 0,
      60_000,
      [am.process],
    );
    // One more group interval, so a misrouted notification would have arrived too.
    await new Promise((r) => setTimeout(r, 3000));

    for (const [host, rec] of Object.entries(hosts)) {
      const alerts = rec.calls.flatMap((c) => c.alerts);
      expect(alerts.length, host).toBeGreaterThan(0);
      for (const a of alerts) {
        expect(a.labels.instance, host).toBe(`${host}:9477`);
        expect(a.labels.laneguard_action, host).toBeDefined();
      }
      for (const call of rec.calls) expect(call.authorization).toBe(`Bearer token-of-${host}`);
    }
    expect(
      hosts['gpu-box-1'].calls.flatMap((c) => c.alerts).map((a) => a.labels.alertname),
    ).toEqual(expect.arrayContaining(['LaneguardFleetIdleWhileDemand']));
    expect(hosts['gpu-box-2'].calls.flatMap((c) => c.alerts).map((a) => a.labels.lane)).toEqual(
      expect.arrayContaining(['b']),
    );
  });
});
