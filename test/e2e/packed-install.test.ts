// laneguard installs and runs like a tool: the `npm pack` tarball installed globally into a temp
// prefix runs `laneguard --version` and a short demo, and `npx laneguard` works in the repository.
// Dependencies come from the npm cache or registry, as on a user's machine.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = path.resolve('.');
const VERSION = (
  JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }
).version;
const dir = mkdtempSync(path.join(tmpdir(), 'laneguard-pack-'));
const prefix = path.join(dir, 'prefix');
const bin = path.join(prefix, 'bin', 'laneguard');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function npm(args: string[], cwd: string): { status: number | null; output: string } {
  // dist/ is built by `pretest:e2e`; --ignore-scripts keeps `prepare` from rebuilding it under the feet of other tests.
  const r = spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    env: {
      ...process.env,
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    },
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function run(
  file: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // Outside the repository, so nothing resolves from its node_modules or dist.
    const child = spawn(file, args, {
      cwd: dir,
      env: { ...process.env, PATH: `${path.dirname(file)}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('the packed tarball', () => {
  it('installs into a temp prefix with npm install -g', () => {
    const packed = npm(['pack', '--ignore-scripts', '--pack-destination', dir], REPO);
    expect(packed.status, packed.output).toBe(0);
    const tarball = readdirSync(dir).find((f) => /^laneguard-.*\.tgz$/.test(f));
    expect(tarball).toBe(`laneguard-${VERSION}.tgz`);
    const listing = spawnSync('tar', ['tzf', path.join(dir, tarball!)], {
      encoding: 'utf8',
    }).stdout.split('\n');
    for (const file of [
      'package/dist/main.js',
      'package/dist/laneguard.cjs',
      'package/dist/laneguard.cjs.cache',
      'package/alerts/laneguard.rules.yml',
      'package/docs/runbooks/LaneguardDown.md',
      'package/deploy/prometheus/prometheus.yml',
    ])
      expect(listing).toContain(file);
    expect(listing.some((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toBe(
      false,
    );

    const installed = npm(
      ['install', '-g', '--prefer-offline', '--prefix', prefix, `./${tarball!}`],
      dir,
    );
    expect(installed.status, installed.output).toBe(0);
    expect(existsSync(bin)).toBe(true);
  });

  it('laneguard --version prints the package version', async () => {
    const { code, output } = await run(bin, ['--version'], 30_000);
    expect(output.trim()).toBe(VERSION);
    expect(code).toBe(0);
  });

  it('laneguard demo --duration 20 guards its sandbox fleet, recovers it and cleans up', async () => {
    const { code, output } = await run(bin, ['demo', '--duration', '20', '--port', '0'], 120_000);
    expect(output).toMatch(/status page {2}http:\/\/127\.0\.0\.1:\d+\//);
    expect(output).toMatch(/started lane-\S+ on \S+/);
    expect(output).toMatch(/stopped \d+ lane process\(es\) and removed the sandbox fleet/);
    expect(code).toBe(0);
  });

  it('laneguard rules reads the rules shipped in the package', async () => {
    const { code, output } = await run(bin, ['rules', '--job', 'lg'], 30_000);
    expect(output).toContain('up{job="lg"} == 0');
    expect(code).toBe(0);
  });
});

describe('npx in the repository', () => {
  it('`npx laneguard` runs the built CLI after npm ci', () => {
    const r = spawnSync('npx', ['--no-install', 'laneguard', '--version'], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe(VERSION);
    expect(r.status).toBe(0);
  });
});
