import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWatchdogConfig } from '../../src/config/watchdog.js';
import { processRole } from '../../src/config/watchdog-roles.js';
import { laneguardArgv } from '../../src/util/self.js';
import { systemClock } from '../../src/util/clock.js';
import { watchdogStatus } from '../../src/watchdog/status.js';
import { atomicWriteJson } from '../../src/store/atomic.js';
import { tempDir } from '../helpers/tmp.js';

function shippedRoot(): string {
  const root = tempDir();
  cpSync(path.resolve('test/fixtures/orxaq-fleet/config'), path.join(root, 'config'), {
    recursive: true,
  });
  return root;
}

describe('watchdog entries that are the replaced guard and heartbeat', () => {
  it('the shipped old-guard entry is laneguard serve: own match, own start, root as cwd, never make', () => {
    const root = shippedRoot();
    const config = loadWatchdogConfig(root);
    const guard = config.processes[0]!;
    expect(guard).toMatchObject({
      id: 'local-idle-guard',
      role: 'guard',
      restartCommand: laneguardArgv(root, 'start'),
      cwd: root,
      startupGraceSec: 10,
      restartCooldownSec: 15,
    });
    expect(guard.replaced).toEqual({
      matchRegex: 'local_model_idle_guard.py',
      restartCommand: ['make', 'local-idle-guard-start'],
      cwd: '/Users/sdevisch/dev/orxaq-ops',
    });
    const match = new RegExp(guard.matchRegex);
    expect(match.test(`${process.execPath} /opt/laneguard/dist/main.js --root ${root} serve`)).toBe(
      true,
    );
    expect(match.test(`python3 scripts/local_model_idle_guard.py --root ${root}`)).toBe(false);
    // The fleet's own supervisor runs as configured.
    expect(config.processes[2]).toMatchObject({
      id: 'autonomy-supervisor',
      role: 'configured',
      restartCommand: ['make', 'start'],
      cwd: '/Users/sdevisch/dev/orxaq-ops',
      replaced: null,
    });
  });

  it('the old heartbeat entry is laneguard heartbeat run; disabled while no endpoint has heartbeat: true', async () => {
    const root = shippedRoot();
    const idle = loadWatchdogConfig(root).processes[1]!;
    expect(idle).toMatchObject({
      id: 'remote-heartbeat',
      role: 'heartbeat',
      enabled: false,
      restartCommand: laneguardArgv(root, 'heartbeat', 'run'),
    });
    expect(idle.note).toMatch(
      /no endpoint of config\/local_model_fleet.json has "heartbeat": true/,
    );
    const row = (await watchdogStatus(loadWatchdogConfig(root), systemClock)).processes[1]!;
    expect(row).toMatchObject({ id: 'remote-heartbeat', status: 'disabled', reason: idle.note });
    atomicWriteJson(path.join(root, 'config/local_model_fleet.json'), {
      endpoints: [{ id: 'lan-86', base_url: 'http://127.0.0.1:1/v1', heartbeat: true }],
    });
    expect(loadWatchdogConfig(root).processes[1]).toMatchObject({ enabled: true, note: null });
  });

  it("an entry is the guard by the guard pid file alone, following the guard config's pid_file", () => {
    const root = shippedRoot();
    writeFileSync(
      path.join(root, 'config/local_model_process_watchdog.json'),
      JSON.stringify({
        processes: [
          {
            id: 'mine',
            pid_file: 'run/guard.pid',
            match_regex: 'whatever',
            restart_command: ['/bin/true'],
          },
        ],
      }),
    );
    expect(loadWatchdogConfig(root).processes[0]!.role).toBe('configured');
    const guard = JSON.parse(JSON.stringify({ pid_file: 'run/guard.pid' }));
    writeFileSync(path.join(root, 'config/local_model_idle_guard.json'), JSON.stringify(guard));
    expect(loadWatchdogConfig(root).processes[0]!.role).toBe('guard');
  });

  it.each([
    [{ match_regex: 'x', restart_command: ['make', 'local-idle-guard-start'] }, 'guard'],
    [{ match_regex: 'python3 .*local_model_idle_guard', restart_command: ['x'] }, 'guard'],
    [{ match_regex: 'lmstudio_remote_heartbeat.py', restart_command: ['x'] }, 'heartbeat'],
    [{ match_regex: 'x', restart_command: ['make', 'remote-heartbeat-start'] }, 'heartbeat'],
    [
      { match_regex: 'orxaq_autonomy\\.cli.*supervise', restart_command: ['make', 'start'] },
      'configured',
    ],
  ])('processRole(%j) = %s', (entry, role) => {
    expect(processRole({ ...entry, pidFile: '/r/a.pid', guardPidFile: '/r/idle_guard.pid' })).toBe(
      role,
    );
  });
});
