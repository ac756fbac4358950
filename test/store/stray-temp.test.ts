import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSandboxRoot, laneDir } from '../../src/sandbox/root.js';
import { ListedDirs, removeStrayTemps } from '../../src/store/stray-temp.js';
import { laneguard } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/** The pid of a process that has exited (a real one, so the kernel no longer knows it). */
function deadPid(): number {
  return Number(
    spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], {
      encoding: 'utf8',
    }).stdout.trim(),
  );
}

const sleepers: Array<{ kill: () => void }> = [];
afterEach(() => {
  for (const s of sleepers.splice(0)) s.kill();
});

function temp(dir: string, target: string, pid: number, ageSec = 0): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `.${target}.${pid}.0badc0de.tmp`);
  writeFileSync(file, '{"half": ');
  const at = new Date(Date.now() - ageSec * 1000);
  utimesSync(file, at, at);
  return file;
}

describe('stray temp files of killed writes', () => {
  it('removes temps whose writer is gone or that are far too old; keeps a live writer’s and other files', () => {
    const dir = tempDir();
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    sleepers.push({ kill: () => sleeper.kill('SIGKILL') });
    const dead = temp(dir, 'fleet_status.json', deadPid());
    const live = temp(dir, 'fleet_status.json', sleeper.pid!);
    const ancient = temp(dir, 'idle_guard_state.json', sleeper.pid!, 3600);
    const foreign = path.join(dir, 'notes.tmp');
    writeFileSync(foreign, 'not laneguard’s');
    const removed = removeStrayTemps([dir], Date.now());
    expect(removed.sort()).toEqual([ancient, dead].sort());
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(ancient)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(foreign)).toBe(true);
  });

  it('takes the names of a directory already listed, without reading it again', () => {
    const listedBefore = tempDir();
    const listedAfter = tempDir();
    const notListed = tempDir();
    const listed = new ListedDirs();
    listed.record(listedBefore, []);
    const early = temp(listedBefore, 'paused.flag', deadPid());
    const named = temp(listedAfter, 'paused.flag', deadPid());
    listed.record(listedAfter, ['state.json', path.basename(named)]);
    const unlisted = temp(notListed, 'paused.flag', deadPid());
    const removed = removeStrayTemps(
      [listedBefore, listedAfter, notListed],
      Date.now(),
      undefined,
      listed,
    );
    // The temp written after its directory was listed is left for the next sweep.
    expect(removed.sort()).toEqual([named, unlisted].sort());
    expect(existsSync(early)).toBe(true);
  });

  it('`once` clears stray temps in the artifacts and the lane directories', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: 'http://127.0.0.1:9/v1' }],
      lanes: [{ id: 'a', pending: 0 }],
    });
    const pid = deadPid();
    const artifacts = temp(
      path.join(root, 'artifacts/autonomy/local_models'),
      'idle_guard_report.json',
      pid,
    );
    const lane = temp(laneDir(root, 'a'), 'paused.flag', pid);
    await laneguard(['--root', root, 'once']);
    expect(existsSync(artifacts)).toBe(false);
    expect(existsSync(lane)).toBe(false);
  }, 60_000);
});
