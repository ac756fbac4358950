import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { laneguard } from '../helpers/cli.js';
import { copyShipped, shippedRoot } from '../helpers/shipped-root.js';

const WATCHDOG = 'config/local_model_process_watchdog.json';

describe('config check reads everything laneguard will read, the watchdog config too', () => {
  it('passes on the shipped files once endpoints and the watchdog cwd exist here, and says what each watchdog entry is', async () => {
    const fleet = shippedRoot(['http://127.0.0.1:9/v1']);
    const run = await laneguard(['--root', fleet.root, 'config', 'check'], { env: fleet.env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'local-idle-guard: laneguard\'s own serve: restarted with `laneguard start`, never with the entry\'s restart_command (its restart_command ["make","local-idle-guard-start"] is not run)',
    );
    expect(run.stdout).toMatch(
      /remote-heartbeat: no endpoint of config\/local_model_fleet.json has "heartbeat": true/,
    );
    expect(run.stdout).toContain('autonomy-supervisor: supervised as configured');
    for (const key of ['backlog_recycle_on_idle', 'revive_after_idle_cycles'])
      expect(run.stdout.match(new RegExp(key, 'g'))).toHaveLength(1);
    // The replaced system's way with stalled lanes points to laneguard's.
    expect(run.stdout).toMatch(
      /^warning: revive_stalled_state_on_idle is accepted but not performed: .*set restart_stalled \(and stalled_after_sec\)$/m,
    );
    expect(run.stdout).toMatch(/config OK\n$/);
    const json = JSON.parse(
      (await laneguard(['--root', fleet.root, 'config', 'check', '--json'], { env: fleet.env }))
        .stdout,
    );
    expect(
      json.watchdog.processes.map((p: { id: string; role: string }) => [p.id, p.role]),
    ).toEqual([
      ['local-idle-guard', 'guard'],
      ['remote-heartbeat', 'heartbeat'],
      ['autonomy-supervisor', 'configured'],
    ]);
  });

  it('a cwd that does not exist here is an error naming the file, the process and the fix (only where the command would run)', async () => {
    const root = copyShipped();
    const run = await laneguard(['--root', root, 'config', 'check']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      'laneguard: configuration error:',
      `  ${WATCHDOG}: processes[2].cwd (process "autonomy-supervisor"): /Users/sdevisch/dev/orxaq-ops does not exist on this machine; set cwd to an existing directory (a relative cwd resolves against the fleet root), or run \`laneguard migrate\``,
    ]);
  });

  it("a restart program not found on PATH, and a typo'd key with its did-you-mean", async () => {
    const fleet = shippedRoot(['http://127.0.0.1:9/v1']);
    const noMake = await laneguard(['--root', fleet.root, 'config', 'check'], {
      env: { PATH: path.join(fleet.root, 'no-programs-here') },
    });
    expect(noMake.code).toBe(2);
    expect(noMake.stderr).toContain(
      `${WATCHDOG}: processes[2].restart_command (process "autonomy-supervisor"): "make" is not found on PATH; install it or give its absolute path`,
    );
    const file = path.join(fleet.root, WATCHDOG);
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('"startup_grace_sec": 5', '"startup_grace_secs": 5'),
    );
    const typo = await laneguard(['--root', fleet.root, 'config', 'check'], { env: fleet.env });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(
      `${WATCHDOG}: processes[2].startup_grace_secs (process "autonomy-supervisor"): unknown key; did you mean "startup_grace_sec"?`,
    );
  });
});
