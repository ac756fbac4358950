// `laneguard replay FILE [--dry-run] [--json]` as a real process on sandbox roots.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerKey } from '../../src/core/receiver/ledger-rules.js';
import { ModelServer } from '../../src/sandbox/model-server.js';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { atomicWriteJson } from '../../src/store/atomic.js';
import { laneguard } from '../helpers/cli.js';
import { laneWorkers, tempDir } from '../helpers/tmp.js';
import { alert, payload, STARTS_AT } from './helpers.js';

let server: ModelServer;
beforeAll(async () => {
  server = await new ModelServer().start();
});
afterAll(async () => server.stop());

const OUT = 'artifacts/autonomy/local_models';

function root(guard: Record<string, unknown> = {}): string {
  return buildSandboxRoot(tempDir(), {
    endpoints: [{ id: 'lm', base_url: server.baseUrl, max_parallel: 4 }],
    lanes: [
      {
        id: 'lane-a',
        urls: [server.baseUrl],
        pending: 3,
        continuous: true,
        sandbox: { worker: 'idle' },
      },
      {
        id: 'lane-b',
        urls: [server.baseUrl],
        pending: 1,
        continuous: true,
        sandbox: { worker: 'idle' },
      },
    ],
    guard,
  });
}

function write(dir: string, body: unknown): string {
  const file = path.join(dir, 'payload.json');
  writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
}

/** Every file under the root with its size and mtime: replay must leave all of them as they were. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, name.name);
      if (name.isDirectory()) walk(p);
      else {
        const s = statSync(p);
        out[path.relative(dir, p)] = `${s.size}:${s.mtimeMs}`;
      }
    }
  };
  walk(dir);
  return out;
}

const laneAlert = (lane: string, fingerprint = 'f00d') =>
  alert({
    fingerprint,
    labels: { alertname: 'LaneguardLanesStarved', laneguard_action: 'recover_lane', lane },
  });

describe('laneguard replay', () => {
  it("prints each alert's decision, the answer and what would be triggered, and changes nothing", async () => {
    const r = root({ mode: 'alert' });
    const file = write(
      r,
      payload([
        laneAlert('lane-a'),
        laneAlert('../x', 'bad1'),
        alert({ fingerprint: 'res1', status: 'resolved' }),
      ]),
    );
    const before = snapshot(r);
    const run = await laneguard(['--root', r, 'replay', file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(
      /replay of .*payload\.json: receiver "laneguard", 3 alert\(s\), mode alert, dedupe window 300s/,
    );
    expect(lines[1]).toMatch(
      /^ALERTNAME\s+FINGERPRINT\s+STARTS_AT\s+STATUS\s+ACTION\s+LANE\s+OUTCOME\s+REASON$/,
    );
    expect(lines[2]).toMatch(
      /^LaneguardLanesStarved\s+f00d\s+\S+\s+firing\s+recover_lane\s+lane-a\s+acted\s+-$/,
    );
    expect(lines[3]).toMatch(
      /^LaneguardLanesStarved\s+bad1\s+\S+\s+firing\s+recover_lane\s+-\s+ignored\s+invalid_lane$/,
    );
    expect(lines[4]).toMatch(
      /^LaneguardFleetIdleWhileDemand\s+res1\s+\S+\s+resolved\s+recover\s+-\s+resolved\s+resolved$/,
    );
    expect(run.stdout).toContain(
      'answer: 200 {"accepted":1,"deduplicated":0,"ignored":1,"resolved":1}',
    );
    expect(run.stdout).toContain(
      'would trigger: one guard cycle (trigger alert, limited to lane lane-a)',
    );
    expect(run.stdout).toContain('replay changed nothing');
    expect(snapshot(r)).toEqual(before);
  });

  it('deduplicates against the current ledger, within the window only', async () => {
    const r = root();
    const now = Date.now();
    atomicWriteJson(path.join(r, OUT, 'webhook_ledger.json'), {
      version: 1,
      entries: {
        [ledgerKey('recent', STARTS_AT)]: {
          fingerprint: 'recent',
          starts_at: STARTS_AT,
          alertname: 'A',
          acted_at: new Date(now - 60_000).toISOString(),
        },
        [ledgerKey('expired', STARTS_AT)]: {
          fingerprint: 'expired',
          starts_at: STARTS_AT,
          alertname: 'A',
          acted_at: new Date(now - 400_000).toISOString(),
        },
      },
    });
    const file = write(
      r,
      payload([alert({ fingerprint: 'recent' }), alert({ fingerprint: 'expired' })]),
    );
    const run = await laneguard(['--root', r, 'replay', file, '--json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(
      out.alerts.map((a: { fingerprint: string; outcome: string }) => [a.fingerprint, a.outcome]),
    ).toEqual([
      ['recent', 'deduplicated'],
      ['expired', 'acted'],
    ]);
    expect(out.answer).toEqual({
      status: 200,
      body: { accepted: 1, deduplicated: 1, ignored: 0, resolved: 0 },
    });
    expect(out.cycle).toEqual({ trigger: 'alert', onlyLanes: null, restartLanes: [] });
    expect(out.work).toEqual({ recover: true, lanes: [], restartLanes: [], ensure: false });
  });

  it('applies mode, routes and instance from the config', async () => {
    const r = root({ mode: 'autonomous' });
    const run = await laneguard(['--root', r, 'replay', write(r, payload([alert()])), '--json']);
    expect(JSON.parse(run.stdout).alerts[0]).toMatchObject({
      outcome: 'ignored',
      reason: 'mode_autonomous',
    });
    const routed = root({
      webhook: { instance: 'me', routes: [{ match: { alertname: 'Custom' }, action: 'ensure' }] },
    });
    const custom = alert({ fingerprint: 'c1', labels: { alertname: 'Custom', instance: 'me:1' } });
    delete (custom.labels as Record<string, string>).laneguard_action;
    const run2 = await laneguard([
      '--root',
      routed,
      'replay',
      write(routed, payload([custom, alert({ fingerprint: 'c2', labels: { instance: 'you:1' } })])),
    ]);
    expect(run2.stdout).toMatch(/Custom\s+c1\s+\S+\s+firing\s+ensure\s+-\s+acted/);
    expect(run2.stdout).toMatch(/c2\s+\S+\s+firing\s+recover\s+-\s+ignored\s+other_instance/);
    expect(run2.stdout).toContain("would run: the fleet's ensure command");
  });

  it('--dry-run plans the triggered cycle from the last probe and live lanes, without acting', async () => {
    const r = root({ mode: 'alert' });
    expect((await laneguard(['--root', r, 'probe'])).code).toBe(0);
    const file = write(r, payload([laneAlert('lane-b')]));
    const before = snapshot(r);
    const run = await laneguard(['--root', r, 'replay', file, '--dry-run', '--json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.dry_run.cycle).toMatchObject({
      floor_met: true,
      starts: [{ id: 'lane-b', score: 100, endpoint_key: 'lm' }],
      skipped: [{ id: 'lane-a', reason: 'not_targeted' }],
    });
    expect(out.dry_run.cycle.probed_at).toEqual(expect.any(String));
    const human = await laneguard(['--root', r, 'replay', file, '--dry-run']);
    expect(human.stdout).toMatch(
      /dry run of that cycle \(lanes read now; endpoint health from the probe at \S+; nothing is done\):/,
    );
    expect(human.stdout).toContain('  would start lane-b: score 100 on lm');
    expect(human.stdout).toContain('  skip lane-a: not_targeted');
    expect(laneWorkers(r, 'lane-b')).toEqual([]);
    expect(snapshot(r)).toEqual(before);
  });

  it('--dry-run without probe results says so, and ensure shows its gate', async () => {
    const r = root();
    const run = await laneguard([
      '--root',
      r,
      'replay',
      write(r, payload([alert({ labels: { laneguard_action: 'ensure' } })])),
      '--dry-run',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ensure: would not run (endpoint_floor_not_met)');
  });

  it.each([
    [
      'not JSON',
      '{"version":',
      /invalid payload \(invalid_json, WEBHOOK_INVALID_JSON\).*the receiver would answer 400/,
    ],
    [
      'a version 3 payload',
      { version: '3', alerts: [] },
      /invalid payload \(unsupported_version, WEBHOOK_UNSUPPORTED_VERSION\).*got version "3"/,
    ],
    ['no alerts', { version: '4' }, /invalid payload \(missing_alerts/],
    [
      'a bad fingerprint',
      payload([alert({ fingerprint: '/etc/passwd' })]),
      /invalid payload \(invalid_payload.*alerts\[0\]\.fingerprint/,
    ],
  ])('exits 2 with the reason for %s', async (_name, body, message) => {
    const r = root();
    const run = await laneguard(['--root', r, 'replay', write(r, body)]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it('exits 2 for a missing file and for a file over server.body_limit_bytes', async () => {
    const r = root({ server: { body_limit_bytes: 1000 } });
    const missing = await laneguard(['--root', r, 'replay', path.join(r, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json \(ENOENT\)/);
    const big = await laneguard([
      '--root',
      r,
      'replay',
      write(r, payload([alert({ labels: { pad: 'x'.repeat(2000) } })])),
    ]);
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/body_too_large.*server\.body_limit_bytes \(1000\).*413/);
  });

  it('reads a corrupt ledger as empty and says so, leaving the file alone', async () => {
    const r = root();
    const ledger = path.join(r, OUT, 'webhook_ledger.json');
    atomicWriteJson(path.join(r, OUT, 'placeholder.json'), {});
    writeFileSync(ledger, '{torn');
    const run = await laneguard(['--root', r, 'replay', write(r, payload([alert()]))]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/note: ledger .*webhook_ledger\.json is unreadable/);
    expect(readFileSync(ledger, 'utf8')).toBe('{torn');
  });
});
