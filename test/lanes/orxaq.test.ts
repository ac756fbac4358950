import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OrxaqAdapter } from '../../src/lanes/orxaq.js';
import { cmdlineMatchesLane } from '../../src/lanes/running.js';
import { atomicWriteJson } from '../../src/store/atomic.js';
import { tempDir } from '../helpers/tmp.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function sleeper(...args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)', '--', ...args], {
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

function adapter(root: string): OrxaqAdapter {
  return new OrxaqAdapter({
    root,
    lanesFile: path.join(root, 'config/lanes.json'),
    runtimeDir: path.join(root, 'artifacts/autonomy/lanes'),
    staleManualPauseSec: 600,
  });
}

function writeLanes(root: string, lanes: unknown): void {
  atomicWriteJson(path.join(root, 'config/lanes.json'), lanes);
}

const laneDir = (root: string, id: string): string =>
  path.join(root, 'artifacts/autonomy/lanes', id);

describe('orxaq lanes', () => {
  it('reads local URLs (all of them), local-only, and work counts from tasks, state and queue', async () => {
    const root = tempDir();
    writeLanes(root, [
      {
        id: 'l1',
        owner: 'team',
        tasks_file: 'tasks/l1.json',
        env: {
          ORXAQ_LOCAL_OPENAI_BASE_URLS: 'http://a/v1; http://b/v1  http://c/v1,http://a/v1',
          ORXAQ_AUTONOMY_LOCAL_ONLY: 'Yes',
        },
      },
    ]);
    atomicWriteJson(path.join(root, 'tasks/l1.json'), {
      tasks: [{ id: 't1' }, { id: 't2' }, { id: 't3' }, { id: 't4' }, { id: 5 }],
    });
    mkdirSync(laneDir(root, 'l1'), { recursive: true });
    atomicWriteJson(path.join(laneDir(root, 'l1'), 'state.json'), {
      t1: { status: 'done' },
      t2: { status: 'in_progress' },
      t3: { status: 'blocked' },
      gone: { status: 'blocked' },
    });
    writeFileSync(
      path.join(laneDir(root, 'l1'), 'task_queue.ndjson'),
      [
        '{"id":"q1","lane":"l1"}',
        '{"id":"q2","owner":"team"}',
        '{"id":"q3","lane":"other"}',
        '{"id":"q4"}',
        '{"id":"claimed","lane":"l1"}',
        '{torn',
      ].join('\n'),
    );
    atomicWriteJson(path.join(laneDir(root, 'l1'), 'task_queue_state.json'), {
      claimed: ['claimed'],
    });
    const { lanes, errors } = await adapter(root).read(new Date());
    expect(errors).toEqual([]);
    expect(lanes[0]).toMatchObject({
      id: 'l1',
      local: true,
      localOnly: true,
      owner: 'team',
      endpointUrls: ['http://a/v1', 'http://b/v1', 'http://c/v1'],
      work: { pending: 2, in_progress: 1, blocked: 2, done: 1, queued: 3 },
      running: false,
      paused: false,
    });
  });

  it('uses the single-URL form and a bare list file', async () => {
    const root = tempDir();
    writeLanes(root, {
      version: 1,
      lanes: [{ id: 'l1', env: { ORXAQ_LOCAL_OPENAI_BASE_URL: 'http://a/v1' } }, { id: 'hosted' }],
    });
    const { lanes } = await adapter(root).read(new Date());
    expect(lanes.map((l) => [l.id, l.local, l.localOnly, l.endpointUrls])).toEqual([
      ['l1', true, false, ['http://a/v1']],
      ['hosted', false, false, []],
    ]);
  });

  it('running = pid alive and its command line names the lane; a reused pid is not the lane', async () => {
    const root = tempDir();
    writeLanes(root, [{ id: 'lane-a' }, { id: 'lane-b' }, { id: 'lane-c' }]);
    const real = sleeper('--lane', 'lane-a');
    const unrelated = sleeper('--lane', 'lane-a-other');
    for (const id of ['lane-a', 'lane-b', 'lane-c'])
      mkdirSync(laneDir(root, id), { recursive: true });
    writeFileSync(path.join(laneDir(root, 'lane-a'), 'lane.pid'), `${real.pid}\n`);
    writeFileSync(path.join(laneDir(root, 'lane-b'), 'lane.pid'), `${unrelated.pid}`);
    writeFileSync(path.join(laneDir(root, 'lane-c'), 'lane.pid'), 'not-a-pid');
    await new Promise((r) => setTimeout(r, 100));
    const { lanes } = await adapter(root).read(new Date());
    expect(lanes.map((l) => [l.id, l.running])).toEqual([
      ['lane-a', true],
      ['lane-b', false],
      ['lane-c', false],
    ]);
    expect(lanes[1]!.pid).toBe(unrelated.pid);
  });

  it('matches the lane id as a token, or a configured pattern', () => {
    expect(cmdlineMatchesLane(['python3', 'worker.py', '--lane', 'a'], 'a')).toBe(true);
    expect(cmdlineMatchesLane(['python3', 'app.py'], 'a')).toBe(false);
    expect(cmdlineMatchesLane(['x', '--lane=lane-10'], 'lane-1')).toBe(false);
    expect(cmdlineMatchesLane(['x', 'artifacts/autonomy/lanes/lane-1/run'], 'lane-1')).toBe(true);
    expect(cmdlineMatchesLane(['worker', '--id', 'l.1'], 'l.1', 'worker --id {lane}$')).toBe(true);
    expect(cmdlineMatchesLane(['worker', '--id', 'lx1'], 'l.1', 'worker --id {lane}$')).toBe(false);
  });

  it('a malformed lane next to good ones is an error row; the good ones are read', async () => {
    const root = tempDir();
    writeLanes(root, [
      { id: 'good-1', env: { ORXAQ_LOCAL_OPENAI_BASE_URL: 'http://a/v1' } },
      { id: '../etc', env: {} },
      { id: 'x; rm -rf /', env: {} },
      { enabled: true },
      'garbage',
      { id: 'torn-state', tasks_file: 'tasks/t.json' },
      { id: 'good-2', enabled: 'yes' },
      { id: 'good-1' },
      { id: 'good-3' },
    ]);
    mkdirSync(laneDir(root, 'torn-state'), { recursive: true });
    writeFileSync(path.join(laneDir(root, 'torn-state'), 'state.json'), '{"t1": {"status": "do');
    const { lanes, errors } = await adapter(root).read(new Date());
    expect(lanes.map((l) => l.id)).toEqual(['good-1', 'good-3']);
    expect(errors.map((e) => e.id)).toEqual([
      '../etc',
      'x; rm -rf /',
      'lanes[3]',
      'lanes[4]',
      'torn-state',
      'good-2',
      'good-1',
    ]);
    expect(errors[0]!.error).toMatch(/lane id must match/);
    expect(errors[4]!.error).toMatch(/state\.json is not valid JSON/);
    expect(errors[6]!.error).toMatch(/duplicate lane id/);
  });

  it('a task file outside the root is refused, not read', async () => {
    const root = tempDir();
    writeLanes(root, [{ id: 'l1', tasks_file: '../../../etc/passwd' }]);
    const { lanes, errors } = await adapter(root).read(new Date());
    expect(lanes).toEqual([]);
    expect(errors[0]!.error).toMatch(/leaves the fleet root/);
  });

  it('an unreadable lanes file is one error row, not a crash', async () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'config'));
    writeFileSync(path.join(root, 'config/lanes.json'), '{"lanes": [');
    const { lanes, errors } = await adapter(root).read(new Date());
    expect(lanes).toEqual([]);
    expect(errors).toEqual([
      {
        id: '*',
        source: 'lanes_file',
        error: expect.stringMatching(/^config\/lanes\.json: not valid JSON/),
      },
    ]);
  });

  it('refuses lane ids that would leave the runtime directory', () => {
    const a = adapter(tempDir());
    expect(() => a.laneDir('../x')).toThrow(/invalid lane id/);
    expect(() => a.laneDir('a/b')).toThrow(/invalid lane id/);
    expect(() => a.laneDir('..')).toThrow(/invalid lane id/);
  });
});
