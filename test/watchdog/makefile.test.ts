import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shippedRoot } from '../helpers/shipped-root.js';
import { tempDir } from '../helpers/tmp.js';
import {
  assertBuiltWatchdog,
  FIXTURES,
  foreverEntry,
  readPid,
  writeWatchdogConfig,
} from './helpers.js';

const hasMake = spawnSync('make', ['--version']).status === 0;
const make = (args: string[]) =>
  spawnSync('make', ['-s', ...args], { encoding: 'utf8', timeout: 120_000 });

describe.skipIf(!hasMake)('Makefile', () => {
  it.each([
    ['local-idle-guard-once', 'once --json'],
    ['local-idle-guard-start', 'start'],
    ['local-idle-guard-stop', 'stop'],
    ['local-idle-guard-status', 'status'],
    ['local-model-watchdog-once', 'watchdog once'],
    ['local-model-watchdog-start', 'watchdog start'],
    ['local-model-watchdog-stop', 'watchdog stop'],
    ['local-model-watchdog-status', 'watchdog status'],
  ])('%s runs `laneguard --root ROOT %s`', (target, command) => {
    const run = make(['-n', target, 'ROOT=/srv/fleet', 'LANEGUARD=/opt/bin/laneguard']);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(`/opt/bin/laneguard --root "/srv/fleet" ${command}`);
  });

  it("works from the fleet root with this checkout's CLI when none is on PATH, and local-idle-guard-once prints the JSON report", () => {
    const fleet = shippedRoot(['http://127.0.0.1:9/v1']);
    const run = spawnSync('make', ['-s', '-f', path.resolve('Makefile'), 'local-idle-guard-once'], {
      cwd: fleet.root,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        PATH: `${path.dirname(process.execPath)}${path.delimiter}/usr/bin${path.delimiter}/bin`,
      },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { trigger: string; local_lane_total: number };
    expect(report).toMatchObject({ trigger: 'manual', local_lane_total: 5 });
    const dry = make(['-n', '-f', path.resolve('Makefile'), 'local-idle-guard-status']);
    expect(dry.stdout.trim()).toMatch(
      /^(laneguard|node "\/.*\/dist\/main\.js") --root "\." status$/,
    );
  });

  it('local-model-watchdog-once really runs a check and passes its exit code on', () => {
    assertBuiltWatchdog();
    const root = tempDir();
    writeWatchdogConfig(root, { processes: [foreverEntry('p1')] });
    const run = make(['local-model-watchdog-once', `ROOT=${root}`]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^p1\s+healthy/m);
    expect(readPid(path.join(root, 'run/p1.pid'))).not.toBeNull();

    const broken = tempDir();
    writeWatchdogConfig(broken, {
      processes: [
        {
          id: 'crasher',
          pid_file: 'run/c.pid',
          match_regex: 'die-at-once',
          restart_command: ['node', path.join(FIXTURES, 'die-at-once.js')],
          startup_grace_sec: 0.5,
        },
      ],
    });
    const failing = make(['local-model-watchdog-once', `ROOT=${broken}`]);
    expect(failing.status).not.toBe(0);
    expect(failing.stdout).toMatch(/^crasher\s+backoff/m);
  });
});
