import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkDaemon,
  claimPidFile,
  identify,
  pidAlive,
  stopDaemon,
  type DaemonSpec,
} from '../../src/process/index.js';
import { systemClock } from '../../src/util/clock.js';
import { waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { BACKEND_NAMES, fakeLaneguard, SLEEPER, startNode, useBackend } from './helpers.js';

function spec(root: string): DaemonSpec {
  mkdirSync(path.join(root, 'run'), { recursive: true });
  return {
    name: 'serve',
    root,
    pidFile: path.join(root, 'run/serve.pid'),
    logFile: path.join(root, 'run/serve.log'),
    words: ['serve'],
  };
}

describe.each(BACKEND_NAMES)('the pid-file daemon helper with the %s backend', (name) => {
  useBackend(name);

  it('what a pid file names: nothing, a dead pid, an unrelated process, this daemon, or the same daemon of another root', async () => {
    const root = tempDir();
    const s = spec(root);
    expect(checkDaemon(s)).toEqual({ state: 'not_running', pid: null });
    writeFileSync(s.pidFile, '999999999\n');
    expect(checkDaemon(s)).toEqual({ state: 'not_running', pid: 999999999 });
    const { pid: unrelated } = await startNode(SLEEPER, ['marker', root]);
    await waitFor(() => identify(unrelated), 'the unrelated process');
    writeFileSync(s.pidFile, `${unrelated}\n`);
    expect(checkDaemon(s)).toMatchObject({ state: 'foreign', pid: unrelated });
    const ours = await fakeLaneguard(root, ['--root', root, 'serve']);
    await waitFor(() => identify(ours), 'the daemon');
    writeFileSync(s.pidFile, `${ours}\n`);
    expect(checkDaemon(s)).toMatchObject({
      state: 'running',
      pid: ours,
      target: { pid: ours, start: expect.stringMatching(new RegExp(`^${name}:`)) },
    });
    const other = tempDir();
    expect(checkDaemon({ ...spec(other), pidFile: s.pidFile })).toMatchObject({
      state: 'foreign',
      pid: ours,
    });
  });

  it('claim: refused while another verified instance holds the file; release removes only our own pid', async () => {
    const root = tempDir();
    const s = spec(root);
    const ours = await fakeLaneguard(root, ['--root', root, 'serve']);
    await waitFor(() => identify(ours), 'the daemon');
    writeFileSync(s.pidFile, `${ours}\n`);
    expect(claimPidFile(s)).toEqual({ ok: false, pid: ours });
    writeFileSync(s.pidFile, '999999999\n');
    const claim = claimPidFile(s);
    expect(claim.ok).toBe(true);
    expect(readFileSync(s.pidFile, 'utf8')).toBe(`${process.pid}\n`);
    if (!claim.ok) return;
    expect(claim.stillOurs()).toBe(true);
    writeFileSync(s.pidFile, `${ours}\n`);
    expect(claim.stillOurs()).toBe(false);
    claim.release();
    expect(readFileSync(s.pidFile, 'utf8')).toBe(`${ours}\n`);
  });

  it('stop: TERM then KILL for a daemon deaf to TERM, and its pid file goes; a foreign pid is never signalled', async () => {
    const root = tempDir();
    const s = spec(root);
    const deaf = await fakeLaneguard(root, ['--root', root, 'serve'], { deaf: true });
    await waitFor(() => identify(deaf), 'the daemon');
    writeFileSync(s.pidFile, `${deaf}\n`);
    expect(await stopDaemon(s, { clock: systemClock, graceMs: 500 })).toEqual({
      status: 'stopped',
      pid: deaf,
      signals: ['SIGTERM', 'SIGKILL'],
    });
    // Killed: gone as soon as this process (its parent here) has reaped it, which happens on an
    // event-loop turn after stop returned. Deaf to TERM, it would still be alive without the KILL.
    await waitFor(() => !pidAlive(deaf), 'the killed daemon to be reaped', 2000);
    expect(existsSync(s.pidFile)).toBe(false);

    const { pid: unrelated } = await startNode(SLEEPER, ['marker', root]);
    await waitFor(() => identify(unrelated), 'the unrelated process');
    writeFileSync(s.pidFile, `${unrelated}\n`);
    expect(await stopDaemon(s, { clock: systemClock, graceMs: 500 })).toMatchObject({
      status: 'foreign',
      pid: unrelated,
    });
    expect(pidAlive(unrelated)).toBe(true);
    expect(
      await stopDaemon(
        { ...s, pidFile: path.join(root, 'run/none.pid') },
        { clock: systemClock, graceMs: 500 },
      ),
    ).toEqual({ status: 'not_running' });
  });
});
