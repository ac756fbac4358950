// The example units in deploy/systemd/: required settings present, and `systemd-analyze verify`
// clean where it runs. verify insists that ExecStart's binary exists, so each unit is checked as a
// copy whose /usr/local/bin/laneguard points at a stub; every other line is verified as shipped.
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { guardSchema } from '../../src/config/guard-schema.js';
import { SERVE_NODE_FLAGS } from '../../src/serve/node-flags.js';
import { tempDir } from '../helpers/tmp.js';

const DIR = path.resolve('deploy/systemd');
const UNITS = [
  'laneguard-serve.service',
  'laneguard-watchdog.service',
  'laneguard-heartbeat.service',
];
const BINARY = '/usr/local/bin/laneguard';

function verify(dir: string, files: string[]): { status: number | null; output: string } {
  const run = spawnSync('systemd-analyze', ['verify', ...files.map((f) => `./${f}`)], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, output: `${run.stdout ?? ''}${run.stderr ?? ''}`.trim() };
}

/** Copies of the units with the binary replaced by a stub, in a temp dir. */
function stagedUnits(edit: (text: string) => string = (t) => t): string {
  const dir = tempDir('laneguard-units-');
  const stub = path.join(dir, 'laneguard');
  writeFileSync(stub, '#!/bin/sh\nexit 0\n');
  chmodSync(stub, 0o755);
  for (const unit of UNITS)
    writeFileSync(
      path.join(dir, unit),
      edit(readFileSync(path.join(DIR, unit), 'utf8')).replaceAll(BINARY, stub),
    );
  return dir;
}

/** verify works here when it accepts a trivial good unit silently and flags a bad key. */
function verifyUsable(): boolean {
  const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) return false;
  const dir = tempDir('laneguard-units-probe-');
  writeFileSync(path.join(dir, 'good.service'), '[Service]\nExecStart=/bin/sh -c true\n');
  writeFileSync(
    path.join(dir, 'bad.service'),
    '[Service]\nExecStart=/bin/sh -c true\nNoSuchKey=1\n',
  );
  const good = verify(dir, ['good.service']);
  const bad = verify(dir, ['bad.service']);
  return good.status === 0 && good.output === '' && bad.output.includes('NoSuchKey');
}

function section(text: string, name: string): string {
  const start = text.indexOf(`[${name}]`);
  if (start < 0) return '';
  const next = text.indexOf('\n[', start + 1);
  return text.slice(start, next < 0 ? undefined : next);
}

describe('deploy/systemd example units', () => {
  it('ships serve, watchdog and heartbeat units and a README', () => {
    expect(readdirSync(DIR).sort()).toEqual(['README.md', ...UNITS].sort());
  });

  it.each(UNITS)(
    '%s restarts on failure, has a start limit and runs laneguard with an explicit root',
    (unit) => {
      const text = readFileSync(path.join(DIR, unit), 'utf8');
      expect(section(text, 'Unit')).toMatch(/^StartLimitIntervalSec=\d+$/m);
      expect(section(text, 'Unit')).toMatch(/^StartLimitBurst=\d+$/m);
      expect(section(text, 'Service')).toMatch(/^Restart=(always|on-failure)$/m);
      expect(section(text, 'Service')).toMatch(
        new RegExp(`^ExecStart=(?:/usr/bin/env node (?:--\\S+ )*)?${BINARY} --root /\\S+ \\S`, 'm'),
      );
      expect(section(text, 'Service')).toMatch(/^RestartPreventExitStatus=2$/m);
    },
  );

  it.each(UNITS)(
    '%s is hardened: read-only system but the fleet root, private /tmp, read-only homes, JIT allowed',
    (unit) => {
      const service = section(readFileSync(path.join(DIR, unit), 'utf8'), 'Service');
      const root = /^ExecStart=.*? --root (\S+) /m.exec(service)?.[1];
      expect(service).toMatch(/^ProtectSystem=strict$/m);
      expect(service).toMatch(new RegExp(`^ReadWritePaths=${root}$`, 'm'));
      expect(service).toMatch(/^PrivateTmp=true$/m);
      expect(service).toMatch(/^ProtectHome=read-only$/m);
      expect(service).toMatch(/^NoNewPrivileges=true$/m);
      // V8 needs writable executable memory: this setting would crash node at start.
      expect(service).not.toMatch(/^MemoryDenyWriteExecute=/m);
    },
  );

  it('serve reads the webhook token from an EnvironmentFile and outlasts the longest fleet command on stop', () => {
    const service = section(
      readFileSync(path.join(DIR, 'laneguard-serve.service'), 'utf8'),
      'Service',
    );
    expect(service).toMatch(/^EnvironmentFile=-\/etc\/laneguard\/laneguard\.env$/m);
    const stopSec = Number(/^TimeoutStopSec=(\d+)$/m.exec(service)?.[1]);
    expect(stopSec).toBeGreaterThan(guardSchema.parse({}).lanes.command_timeout_sec);
  });

  it("serve runs under node with serve's heap settings, as `laneguard start` runs it", () => {
    const service = section(
      readFileSync(path.join(DIR, 'laneguard-serve.service'), 'utf8'),
      'Service',
    );
    expect(service).toMatch(
      new RegExp(
        `^ExecStart=/usr/bin/env node ${SERVE_NODE_FLAGS.join(' ')} ${BINARY} --root `,
        'm',
      ),
    );
  });

  it('the watchdog unit lets its restarted children outlive it', () => {
    const service = section(
      readFileSync(path.join(DIR, 'laneguard-watchdog.service'), 'utf8'),
      'Service',
    );
    expect(service).toMatch(/^ExecStart=\S+ --root \S+ watchdog run$/m);
    expect(service).toMatch(/^KillMode=process$/m);
    expect(service).toMatch(/^Restart=always$/m);
  });

  const usable = verifyUsable();
  it.skipIf(!usable)('systemd-analyze verify is clean (no warnings) for every unit', () => {
    const result = verify(stagedUnits(), UNITS);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it.skipIf(!usable)('and it would catch a mistake in them', () => {
    const result = verify(
      stagedUnits((t) => t.replace('Restart=always', 'Restart=sometimes')),
      UNITS,
    );
    expect(result.output).toContain('laneguard-watchdog.service');
    expect(result.output).toContain('sometimes');
  });
});
