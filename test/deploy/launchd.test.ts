// The example LaunchAgents in deploy/launchd/: well-formed plists (plutil -lint too where it
// exists), laneguard commands that exist, one supervisor per process, the token's env file read.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVE_NODE_FLAGS } from '../../src/serve/node-flags.js';
import { laneguard } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { parsePlist, type PlistValue } from './plist.js';

const DIR = path.resolve('deploy/launchd');
const JOBS = {
  serve: ['serve'],
  watchdog: ['watchdog', 'run'],
  heartbeat: ['heartbeat', 'run'],
} as const;
const BINARY = '/usr/local/bin/laneguard';
const OUTPUTS = 'artifacts/autonomy/local_models';

type Plist = Record<string, PlistValue>;
const load = (job: string): Plist =>
  parsePlist(readFileSync(path.join(DIR, `local.laneguard.${job}.plist`), 'utf8')) as Plist;

/** The argv a job runs: directly, or as the `exec` line of its `/bin/sh -c` wrapper. */
function jobArgv(plist: Plist): string[] {
  const argv = plist.ProgramArguments as string[];
  if (argv[0] !== '/bin/sh') return argv;
  expect(argv.slice(0, 2)).toEqual(['/bin/sh', '-c']);
  return /exec (.+)$/.exec(argv[2]!)![1]!.split(' ');
}

/** The laneguard argv of a job, without the `node <flags>` serve runs under. */
function laneguardArgv(plist: Plist): string[] {
  const argv = jobArgv(plist);
  if (argv[0] !== 'node') return argv;
  return argv.slice(argv.indexOf(BINARY));
}

describe('deploy/launchd example LaunchAgents', () => {
  it('ships serve, watchdog and heartbeat agents and a README', () => {
    expect(readdirSync(DIR).sort()).toEqual(
      ['README.md', ...Object.keys(JOBS).map((j) => `local.laneguard.${j}.plist`)].sort(),
    );
  });

  it('the plist reader used here rejects what is not well formed', () => {
    const good = readFileSync(path.join(DIR, 'local.laneguard.watchdog.plist'), 'utf8');
    expect(() => parsePlist(good)).not.toThrow();
    expect(() => parsePlist(good.replace('</dict>\n</plist>', '</plist>'))).toThrow();
    expect(() => parsePlist(good.replace('<key>RunAtLoad</key>', '<key>Label</key>'))).toThrow(
      /duplicate key Label/,
    );
    expect(() =>
      parsePlist(good.replace('<integer>10</integer>', '<integer>ten</integer>')),
    ).toThrow();
  });

  it.each(Object.entries(JOBS))(
    '%s: its label, an explicit root, a real laneguard command, logs under the outputs',
    async (job, words) => {
      const plist = load(job);
      expect(plist.Label).toBe(`local.laneguard.${job}`);
      const argv = laneguardArgv(plist);
      expect(argv.slice(0, 2)).toEqual([BINARY, '--root']);
      const root = argv[2]!;
      expect(argv.slice(3)).toEqual(words);
      expect(plist.WorkingDirectory).toBe(root);
      expect(plist.StandardOutPath).toBe(
        path.join(root, OUTPUTS, path.basename(plist.StandardOutPath as string)),
      );
      expect(plist.StandardErrorPath).toBe(plist.StandardOutPath);
      expect(plist.RunAtLoad).toBe(true);
      // ps (/bin) and lsof (/usr/sbin) must be on the PATH launchd gives the job.
      expect(((plist.EnvironmentVariables as Plist).PATH as string).split(':')).toEqual(
        expect.arrayContaining(['/bin', '/usr/sbin']),
      );
      const help = await laneguard([...words, '--help']);
      expect(help.code).toBe(0);
    },
    60_000,
  );

  it('one supervisor per process: launchd always keeps the watchdog; serve and heartbeat only after a failure', () => {
    expect(load('watchdog').KeepAlive).toBe(true);
    expect(load('serve').KeepAlive).toEqual({ SuccessfulExit: false });
    expect(load('heartbeat').KeepAlive).toEqual({ SuccessfulExit: false });
    // Processes serve and the watchdog start must outlive them (as KillMode=process does).
    expect(load('serve').AbandonProcessGroup).toBe(true);
    expect(load('watchdog').AbandonProcessGroup).toBe(true);
    expect(readFileSync(path.join(DIR, 'README.md'), 'utf8')).toMatch(
      /"supervise_watchdog": false/,
    );
  });

  it("serve runs under node with serve's heap settings, as `laneguard start` runs it", () => {
    expect(jobArgv(load('serve')).slice(0, SERVE_NODE_FLAGS.length + 2)).toEqual([
      'node',
      ...SERVE_NODE_FLAGS,
      BINARY,
    ]);
  });

  it('serve reads LANEGUARD_WEBHOOK_TOKEN from ~/.config/laneguard/laneguard.env and execs laneguard with its arguments', () => {
    const home = tempDir();
    mkdirSync(path.join(home, '.config/laneguard'), { recursive: true });
    writeFileSync(
      path.join(home, '.config/laneguard/laneguard.env'),
      'LANEGUARD_WEBHOOK_TOKEN=s3cret-token\n',
    );
    // A node on the job's PATH that prints what it was given.
    const bin = tempDir();
    writeFileSync(path.join(bin, 'node'), '#!/bin/sh\necho "$LANEGUARD_WEBHOOK_TOKEN|$*"\n');
    chmodSync(path.join(bin, 'node'), 0o755);
    const script = (load('serve').ProgramArguments as string[])[2]!;
    const args = `${SERVE_NODE_FLAGS.join(' ')} ${BINARY} --root /Users/Shared/laneguard serve`;
    const run = spawnSync('/bin/sh', ['-c', script], {
      env: { HOME: home, PATH: `${bin}:/usr/bin:/bin` },
      encoding: 'utf8',
    });
    expect(run.stdout).toBe(`s3cret-token|${args}\n`);
    // Without the file it still starts (the token may come from server.token_file).
    const bare = spawnSync('/bin/sh', ['-c', script], {
      env: { HOME: tempDir(), PATH: `${bin}:/usr/bin:/bin` },
      encoding: 'utf8',
    });
    expect(bare.stdout).toBe(`|${args}\n`);
  });

  const plutil = spawnSync('plutil', ['-help'], { encoding: 'utf8' }).error === undefined;
  it.skipIf(!plutil)('plutil -lint accepts every plist', () => {
    const run = spawnSync(
      'plutil',
      ['-lint', ...Object.keys(JOBS).map((j) => path.join(DIR, `local.laneguard.${j}.plist`))],
      { encoding: 'utf8' },
    );
    expect(run.status).toBe(0);
  });
});
