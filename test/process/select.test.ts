import { describe, expect, it } from 'vitest';
import {
  chooseBackend,
  PLATFORM_OVERRIDE_ENV,
  PROCESS_TABLE_ENV,
  sameStart,
} from '../../src/process/index.js';
import { parseLsofCwd, parsePsOutput } from '../../src/process/ps-backend.js';

const withProc = (): boolean => true;
const withoutProc = (): boolean => false;

describe('choosing the process-table backend', () => {
  it('by platform: /proc on Linux, ps on macOS and the BSDs, ps on a Linux without /proc', () => {
    expect(chooseBackend({}, 'linux', withProc)).toEqual({ ok: true, backend: 'proc' });
    expect(chooseBackend({}, 'linux', withoutProc)).toEqual({ ok: true, backend: 'ps' });
    expect(chooseBackend({}, 'darwin', withoutProc)).toEqual({ ok: true, backend: 'ps' });
    expect(chooseBackend({}, 'freebsd', withoutProc)).toEqual({ ok: true, backend: 'ps' });
  });

  it(`forced with ${PROCESS_TABLE_ENV}; a wrong value or a missing /proc is one clear line`, () => {
    expect(chooseBackend({ [PROCESS_TABLE_ENV]: 'ps' }, 'linux', withProc)).toEqual({
      ok: true,
      backend: 'ps',
    });
    expect(chooseBackend({ [PROCESS_TABLE_ENV]: 'proc' }, 'linux', withProc)).toEqual({
      ok: true,
      backend: 'proc',
    });
    expect(chooseBackend({ [PROCESS_TABLE_ENV]: 'proc' }, 'darwin', withoutProc)).toEqual({
      ok: false,
      reason: `${PROCESS_TABLE_ENV}=proc but /proc is not available here; use ps (or unset it)`,
    });
    expect(chooseBackend({ [PROCESS_TABLE_ENV]: 'wmi' }, 'linux', withProc)).toEqual({
      ok: false,
      reason: `${PROCESS_TABLE_ENV}=wmi is not a process-table backend; use one of: proc, ps (or unset it)`,
    });
  });

  it('Windows (real or forced for a test) is refused, whatever is forced', () => {
    for (const env of [{}, { [PROCESS_TABLE_ENV]: 'ps' }]) {
      const chosen = chooseBackend(env, 'win32', withoutProc);
      expect(chosen.ok).toBe(false);
      expect(!chosen.ok && chosen.reason).toMatch(/^process facts cannot be read on win32: /);
    }
    expect(chooseBackend({ [PLATFORM_OVERRIDE_ENV]: 'win32' }, 'linux', withProc).ok).toBe(false);
  });
});

describe('start tokens', () => {
  it('differ only when both are known and from the same backend (never a live process taken for dead)', () => {
    expect(sameStart('proc:100', 'proc:100')).toBe(true);
    expect(sameStart('proc:100', 'proc:101')).toBe(false);
    expect(sameStart('ps:1764652342', 'ps:1764652343')).toBe(false);
    expect(sameStart('proc:100', 'ps:1764652342')).toBe(true);
    expect(sameStart(null, 'proc:1')).toBe(true);
  });
});

describe('ps output', () => {
  // Lines as procps and macOS ps print them for `-o pid= -o ppid= -o stat= -o lstart= -o args=` (C locale).
  const text = [
    '    1     0 Ss   Wed Dec  2 05:07:32 2026 /sbin/launchd',
    '  812     1 S    Wed Dec  2 05:12:09 2026 /usr/local/bin/node /opt/laneguard/dist/main.js --root /Users/me/My Fleet serve',
    '  813   812 Z    Wed Dec  2 05:12:10 2026 <defunct>',
    '    2     0 S    Wed Dec  2 05:07:32 2026 [kthreadd]',
    '  900     1 R+   Thu Jan 15 23:59:59 2026 ',
    'garbage line',
  ].join('\n');

  it('reads pid, ppid, zombies, start and the command line (spaces inside arguments kept in the line)', () => {
    const rows = parsePsOutput(text);
    expect(rows.map((r) => r.pid)).toEqual([1, 812, 813, 2, 900]);
    const serve = rows[1]!;
    expect(serve).toMatchObject({
      ppid: 1,
      zombie: false,
      commandLine:
        '/usr/local/bin/node /opt/laneguard/dist/main.js --root /Users/me/My Fleet serve',
    });
    expect(serve.argv).toEqual([
      '/usr/local/bin/node',
      '/opt/laneguard/dist/main.js',
      '--root',
      '/Users/me/My',
      'Fleet',
      'serve',
    ]);
    expect(serve.startedAtMs).toBe(new Date(2026, 11, 2, 5, 12, 9).getTime());
    expect(serve.start).toBe(`ps:${new Date(2026, 11, 2, 5, 12, 9).getTime() / 1000}`);
    expect(rows[2]!.zombie).toBe(true);
    expect(rows[4]).toMatchObject({
      argv: [],
      commandLine: '',
      startedAtMs: new Date(2026, 0, 15, 23, 59, 59).getTime(),
    });
  });

  it('reads the cwd from lsof -Fn', () => {
    expect(parseLsofCwd('p812\nfcwd\nn/Users/me/My Fleet\n')).toBe('/Users/me/My Fleet');
    expect(parseLsofCwd('')).toBeNull();
  });
});
