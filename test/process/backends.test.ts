import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  descendantsIn,
  isDaemonProcess,
  pidExists,
  procTable,
  psTable,
  servesRoot,
  stillRunning,
  type ProcessTable,
} from '../../src/process/index.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/cli.js';
import { fakeLaneguard, SLEEPER, startNode } from './helpers.js';

const TABLES: Record<string, () => ProcessTable> = { proc: () => procTable(), ps: () => psTable() };

describe.each(Object.keys(TABLES))('the %s backend on real processes', (name) => {
  const table = TABLES[name]!();

  it('sees a live process: argv, command line, parent, start token of its kind and a start time', async () => {
    const dir = tempDir();
    const before = Date.now();
    const { pid } = await startNode(SLEEPER, ['marker', dir]);
    const info = await waitFor(() => table.snapshot().get(pid), `pid ${pid} in the table`);
    expect(info.argv).toEqual(
      [process.execPath, '-e', SLEEPER, 'marker', dir].flatMap((a) =>
        name === 'ps' ? a.split(/\s+/) : [a],
      ),
    );
    expect(info.commandLine).toBe([process.execPath, '-e', SLEEPER, 'marker', dir].join(' '));
    expect(info.ppid).toBe(process.pid);
    expect(info.start).toMatch(new RegExp(`^${name}:\\d+$`));
    // Wall-clock coherence (lstart has whole seconds), not speed.
    expect(info.startedAtMs!).toBeGreaterThanOrEqual(before - 2000);
    expect(info.startedAtMs!).toBeLessThanOrEqual(Date.now() + 2000);
  });

  it('a pid whose start token differs is another process (pid reuse); the same token is the same one', async () => {
    const dir = tempDir();
    const { pid } = await startNode(SLEEPER, ['marker', dir]);
    const snap = await waitFor(() => {
      const s = table.snapshot();
      return s.get(pid) ? s : null;
    }, 'the process');
    const start = snap.get(pid)!.start;
    expect(stillRunning({ pid, start }, snap)?.pid).toBe(pid);
    expect(stillRunning({ pid, start: `${name}:1` }, snap)).toBeNull();
  });

  it('finds the descendants of a process in one look', async () => {
    const dir = tempDir();
    const { pid, output } = await startNode(
      "const c=require('child_process').spawn(process.execPath,['-e','setInterval(()=>{},1000)','marker',process.argv[1]],{stdio:'ignore'});console.log(c.pid);setInterval(()=>{},1000)",
      [dir],
    );
    const grandchild = Number(await waitFor(() => output().trim(), 'the child pid'));
    const found = await waitFor(() => {
      const d = descendantsIn(table.snapshot(), pid);
      return d.length > 0 ? d : null;
    }, 'descendants');
    expect(found.map((d) => d.pid)).toEqual([grandchild]);
  });

  it('a zombie is dead, though its pid still exists', async () => {
    // sh starts `sleep 1`, then becomes `sleep 30`, which never reaps it. The background job must
    // outlive sh's last command: sh itself reaps a job that has already ended before it execs.
    const child = spawn('sh', ['-c', 'sleep 1 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const zombie = Number(await waitFor(() => out.trim(), 'the zombie pid'));
      await waitFor(() => table.snapshot().get(zombie) === null, 'sleep 1 to exit');
      expect(pidExists(zombie)).toBe(true);
      expect(
        table
          .snapshot()
          .list()
          .some((p) => p.pid === zombie),
      ).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('the root a laneguard process serves: --root decides; what the backend cannot tell counts as ours', async () => {
    const root = tempDir();
    const other = tempDir();
    const byArg = await fakeLaneguard(root, ['--root', root, 'serve']);
    const byEnv = await fakeLaneguard(root, ['serve', root], {
      env: { LANEGUARD_ROOT: root },
      cwd: other,
    });
    const snap = await waitFor(() => {
      const s = table.snapshot();
      return s.get(byArg) && s.get(byEnv) ? s : null;
    }, 'both fakes');
    expect(servesRoot(snap.get(byArg)!, root, snap)).toBe('yes');
    expect(servesRoot(snap.get(byArg)!, other, snap)).toBe('no');
    // The environment is readable from /proc; ps cannot read it, and its cwd would not decide either.
    expect(servesRoot(snap.get(byEnv)!, root, snap)).toBe(name === 'proc' ? 'yes' : 'unknown');
    expect(isDaemonProcess({ words: ['serve'], root })(snap.get(byEnv)!, snap)).toBe(true);
    expect(isDaemonProcess({ words: ['watchdog', 'run'], root })(snap.get(byArg)!, snap)).toBe(
      false,
    );
  });

  it('the working directory: from /proc; from ps only through lsof, else unknown (null)', async () => {
    const dir = tempDir();
    const { pid } = await startNode(SLEEPER, ['marker', dir], { cwd: dir });
    const snap = await waitFor(() => {
      const s = table.snapshot();
      return s.get(pid) ? s : null;
    }, 'the process');
    const cwd = snap.cwd(pid);
    if (name === 'proc') expect(cwd).toBe(dir);
    else expect([dir, null]).toContain(cwd);
    expect(path.isAbsolute(cwd ?? '/')).toBe(true);
  });
});

describe('both backends agree', () => {
  it('on the command line and (to the second) the start of the same process', async () => {
    const dir = tempDir();
    const { pid } = await startNode(SLEEPER, ['marker', dir]);
    const fromProc = await waitFor(() => procTable().snapshot().get(pid), 'proc');
    const fromPs = await waitFor(() => psTable().snapshot().get(pid), 'ps');
    expect(fromPs.commandLine).toBe(fromProc.commandLine);
    expect(fromPs.ppid).toBe(fromProc.ppid);
    expect(Math.abs(fromPs.startedAtMs! - fromProc.startedAtMs!)).toBeLessThan(2000);
  });
});
