import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { laneguard } from '../helpers/cli.js';
import { shippedRoot } from '../helpers/shipped-root.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A stand-in for the replaced guard: a real process whose command line is the old guard's. */
function oldGuard(root: string, writePidFile: boolean): ChildProcess {
  const child = spawn(
    process.execPath,
    ['-e', 'setInterval(() => {}, 1000)', 'scripts/local_model_idle_guard.py', '--root', root],
    { cwd: root, stdio: 'ignore' },
  );
  children.push(child);
  if (writePidFile) {
    mkdirSync(path.join(root, 'artifacts/autonomy/local_models'), { recursive: true });
    writeFileSync(
      path.join(root, 'artifacts/autonomy/local_models/idle_guard.pid'),
      `${child.pid}\n`,
    );
  }
  return child;
}

describe('never two guards on one root', () => {
  it('serve, start and once exit 2 while the replaced guard runs, naming its pid and how to stop it', async () => {
    const fleet = shippedRoot(['http://127.0.0.1:9/v1']);
    const guard = oldGuard(fleet.root, true);
    await new Promise((r) => setTimeout(r, 200));
    const cmdline = `${process.execPath} -e setInterval(() => {}, 1000) scripts/local_model_idle_guard.py --root ${fleet.root}`;
    const shown = cmdline.length > 120 ? `${cmdline.slice(0, 119)}…` : cmdline;
    for (const args of [['once'], ['start'], ['serve', '--listen', '127.0.0.1:0']]) {
      const run = await laneguard(['--root', fleet.root, ...args], { env: fleet.env });
      expect(run.code, args[0]).toBe(2);
      expect(run.stderr.trim()).toBe(
        `laneguard: the guard laneguard replaces is running on this root (pid ${guard.pid}: ${shown}); stop it first (\`make local-idle-guard-stop\` in the fleet root, or \`kill ${guard.pid}\`), and see \`laneguard migrate\``,
      );
    }
    // Nothing was done: no cycle report, and the pid file still names the old guard.
    const status = await laneguard(['--root', fleet.root, 'status'], { env: fleet.env });
    expect(status.stdout).toContain(
      'laneguard serve is not running (the pid file names an unrelated process)',
    );
    expect(
      existsSync(path.join(fleet.root, 'artifacts/autonomy/local_models/idle_guard_report.json')),
    ).toBe(false);
  });

  it('finds the old guard by its working directory when the pid file does not name it', async () => {
    const fleet = shippedRoot(['http://127.0.0.1:9/v1']);
    const guard = oldGuard(fleet.root, false);
    await new Promise((r) => setTimeout(r, 200));
    const run = await laneguard(['--root', fleet.root, 'once', '--dry-run'], { env: fleet.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`(pid ${guard.pid}: `);
    guard.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    expect(
      (await laneguard(['--root', fleet.root, 'once', '--dry-run'], { env: fleet.env })).code,
    ).toBe(0);
  });
});
