import { describe, expect, it } from 'vitest';
import { laneguard } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const REFUSAL =
  /^laneguard: process facts cannot be read on win32: laneguard reads them from \/proc \(Linux\) or ps \(macOS, BSD\); this command needs them, so it does nothing rather than misjudge running lanes and daemons\n$/;

describe('a platform without a process table', () => {
  it.each([
    ['lanes'],
    ['status'],
    ['once'],
    ['serve'],
    ['stop'],
    ['migrate'],
    ['watchdog', 'status'],
    ['watchdog', 'run'],
  ])(
    '`laneguard %s` exits 2 with one clear line and changes nothing',
    async (...command) => {
      const root = tempDir();
      const run = await laneguard(['--root', root, ...command], {
        env: { LANEGUARD_TEST_PLATFORM: 'win32' },
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(REFUSAL);
      expect(run.stdout).toBe('');
    },
    30_000,
  );

  it('commands that need no process facts still run', async () => {
    const run = await laneguard(['--root', tempDir(), 'config', 'check'], {
      env: { LANEGUARD_TEST_PLATFORM: 'win32' },
    });
    expect(run.stderr).not.toMatch(/process facts/);
  }, 30_000);

  it('the ps backend without ps on PATH: exit 2 naming what is missing, before anything runs', async () => {
    const run = await laneguard(['--root', tempDir(), 'lanes'], {
      env: { LANEGUARD_PROCESS_TABLE: 'ps', PATH: tempDir() },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'laneguard: ps not found on PATH (LANEGUARD_PROCESS_TABLE=ps needs it)\n',
    );
  }, 30_000);

  it('an unknown LANEGUARD_PROCESS_TABLE is a usage error naming the variable', async () => {
    const run = await laneguard(['--root', tempDir(), 'lanes'], {
      env: { LANEGUARD_PROCESS_TABLE: 'wmi' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'laneguard: LANEGUARD_PROCESS_TABLE=wmi is not a process-table backend; use one of: proc, ps (or unset it)\n',
    );
  }, 30_000);
});
