import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { laneguard } from '../helpers/cli.js';
import { copyShipped } from '../helpers/shipped-root.js';

const OLD_MAKEFILE = [
  'ROOT ?= .',
  '',
  'local-idle-guard-start:',
  '\tpython3 scripts/local_model_idle_guard.py --daemon',
  '',
  'local-idle-guard-once:',
  '\tpython3 scripts/local_model_idle_guard.py --once --json',
  '',
  'local-model-watchdog-status:',
  '\t$(LANEGUARD) --root "$(CURDIR)" watchdog status',
  '',
  'start:',
  '\tpython3 -m orxaq_autonomy.cli supervise',
  '',
].join('\n');

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

interface JsonPlan {
  items: Array<{
    area: string;
    subject: string;
    status: string;
    message: string;
    lines?: string[];
  }>;
  rewrites: string[];
  changed: Array<{ file: string; backup: string }>;
  blocking: number;
}

function snapshot(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const dir of ['.', 'config']) {
    for (const name of readdirSync(path.join(root, dir))) {
      if (/\.(json|bak-.*)$|^Makefile/.test(name))
        files[`${dir}/${name}`] = readFileSync(path.join(root, dir, name), 'utf8');
    }
  }
  return files;
}

describe('laneguard migrate', () => {
  it('plans without changing anything, needs the operator for a running old guard, applies with backups, and is idempotent', async () => {
    const root = copyShipped();
    writeFileSync(path.join(root, 'Makefile'), OLD_MAKEFILE);
    const oldGuard = spawn(
      process.execPath,
      ['-e', 'setInterval(() => {}, 1000)', 'scripts/local_model_idle_guard.py'],
      { cwd: root, stdio: 'ignore' },
    );
    children.push(oldGuard);
    mkdirSync(path.join(root, 'artifacts/autonomy/local_models'), { recursive: true });
    writeFileSync(
      path.join(root, 'artifacts/autonomy/local_models/idle_guard.pid'),
      `${oldGuard.pid}\n`,
    );
    await new Promise((r) => setTimeout(r, 200));
    const before = snapshot(root);

    const planned = await laneguard(['--root', root, 'migrate', '--json']);
    expect(planned.code).toBe(1);
    const plan = JSON.parse(planned.stdout) as JsonPlan;
    const item = (area: string, subject: string) =>
      plan.items.find((i) => i.area === area && i.subject === subject);
    // What is read as is.
    expect(plan.items.filter((i) => i.area === 'files').map((i) => [i.subject, i.status])).toEqual([
      ['config/local_model_idle_guard.json', 'ok'],
      ['config/local_model_fleet.json', 'ok'],
      ['config/lanes.json', 'ok'],
      ['config/local_model_process_watchdog.json', 'ok'],
    ]);
    // Keys accepted but not performed, with what replaces them.
    expect(
      plan.items
        .filter((i) => i.area === 'not_performed')
        .map((i) => i.subject)
        .sort(),
    ).toEqual([
      'backlog_recycle_delay_sec',
      'backlog_recycle_max_per_lane',
      'backlog_recycle_on_idle',
      'revive_after_idle_cycles',
      'revive_stalled_state_on_idle',
    ]);
    expect(item('not_performed', 'revive_after_idle_cycles')!.message).toMatch(
      /escalate_command is the replacement/,
    );
    // Each watchdog entry and what laneguard does with it.
    expect(item('watchdog', 'local-idle-guard')!.message).toBe(
      'laneguard\'s own serve: restarted with `laneguard start`, never with the entry\'s restart_command; its restart_command ["make","local-idle-guard-start"] is never run',
    );
    expect(item('watchdog', 'remote-heartbeat')!.message).toMatch(
      /^no endpoint of config\/local_model_fleet.json has "heartbeat": true/,
    );
    expect(item('watchdog', 'autonomy-supervisor')!.message).toBe('supervised as configured');
    expect(item('watchdog', 'autonomy-supervisor.cwd')).toMatchObject({
      status: 'rewrite',
      message: '/Users/sdevisch/dev/orxaq-ops does not exist here: becomes "." (the fleet root)',
    });
    // The running old guard and how to stop it.
    expect(item('processes', 'replaced guard')).toMatchObject({
      status: 'operator',
      message: expect.stringContaining(`(pid ${oldGuard.pid}: `),
    });
    expect(item('processes', 'replaced guard')!.message).toContain(`\`kill ${oldGuard.pid}\``);
    // Makefile targets to repoint, with their new recipes; one already runs laneguard.
    expect(item('makefile', 'local-idle-guard-once')).toMatchObject({
      status: 'rewrite',
      lines: ['local-idle-guard-once:', '\t$(LANEGUARD) --root "$(CURDIR)" once --json'],
    });
    expect(item('makefile', 'local-idle-guard-start')!.lines).toEqual([
      'local-idle-guard-start:',
      '\t$(LANEGUARD) --root "$(CURDIR)" start',
    ]);
    expect(item('makefile', 'local-model-watchdog-status')!.status).toBe('ok');
    // systemd / launchd next steps.
    expect(plan.items.filter((i) => i.area === 'services').map((i) => i.subject)).toEqual([
      'systemd',
      'launchd',
    ]);
    expect(plan.rewrites).toEqual([
      path.join(root, 'config/local_model_process_watchdog.json'),
      path.join(root, 'Makefile'),
    ]);
    expect(plan.blocking).toBe(1);
    // Without --write nothing changed.
    expect(snapshot(root)).toEqual(before);
    const human = await laneguard(['--root', root, 'migrate']);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('run `laneguard migrate --write` to apply');
    expect(snapshot(root)).toEqual(before);

    oldGuard.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const written = await laneguard(['--root', root, 'migrate', '--write', '--json']);
    expect(written.code).toBe(0);
    const applied = JSON.parse(written.stdout) as JsonPlan;
    expect(applied.changed.map((c) => c.file)).toEqual(plan.rewrites);
    for (const c of applied.changed) {
      expect(c.backup).toMatch(/\.bak-\d{8}T\d{6}Z$/);
      expect(readFileSync(c.backup, 'utf8')).toBe(
        before[
          path.relative(root, c.file).includes('/')
            ? path.relative(root, c.file)
            : `./${path.relative(root, c.file)}`
        ],
      );
    }
    const watchdog = JSON.parse(
      readFileSync(path.join(root, 'config/local_model_process_watchdog.json'), 'utf8'),
    ) as { processes: Array<{ cwd: string; restart_command: string[] }> };
    expect(watchdog.processes.map((p) => p.cwd)).toEqual(['.', '.', '.']);
    expect(watchdog.processes[2]!.restart_command).toEqual(['make', 'start']);
    const makefile = readFileSync(path.join(root, 'Makefile'), 'utf8');
    expect(makefile).toMatch(/^LANEGUARD \?= /m);
    expect(makefile).toContain(
      'local-idle-guard-start:\n\t$(LANEGUARD) --root "$(CURDIR)" start\n',
    );
    expect(makefile).toContain('start:\n\tpython3 -m orxaq_autonomy.cli supervise\n');
    // The guard, fleet and lanes files are never rewritten.
    for (const f of [
      'config/local_model_idle_guard.json',
      'config/local_model_fleet.json',
      'config/lanes.json',
    ])
      expect(readFileSync(path.join(root, f), 'utf8')).toBe(before[f]);

    const afterWrite = snapshot(root);
    const again = await laneguard(['--root', root, 'migrate', '--write']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing is left to rewrite');
    expect(again.stdout).not.toContain('rewrote');
    expect(snapshot(root)).toEqual(afterWrite);
  }, 60_000);

  it('a config error is exit 2 naming the file and key, and nothing is written', async () => {
    const root = copyShipped();
    writeFileSync(
      path.join(root, 'config/local_model_idle_guard.json'),
      JSON.stringify({ version: 1, intervl_sec: 30 }),
    );
    const before = snapshot(root);
    const run = await laneguard(['--root', root, 'migrate', '--write']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'config/local_model_idle_guard.json: intervl_sec: unknown key; did you mean "interval_sec"?',
    );
    expect(snapshot(root)).toEqual(before);
  });
});
