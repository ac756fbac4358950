import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createLaneAdapter } from '../../src/lanes/factory.js';
import { laneFiles } from '../../src/lanes/paths.js';
import { atomicWriteJson } from '../../src/store/atomic.js';
import { tempDir } from '../helpers/tmp.js';

function fleetRoot(guard: unknown = {}): string {
  const root = tempDir();
  atomicWriteJson(path.join(root, 'config/local_model_idle_guard.json'), guard);
  atomicWriteJson(path.join(root, 'config/local_model_fleet.json'), {
    endpoints: [{ id: 'a', base_url: 'http://127.0.0.1:1/v1' }],
  });
  return root;
}

describe('lane file paths', () => {
  it('defaults to the files of the lane runtime dir', () => {
    const f = laneFiles({ id: 'l1' }, '/fleet', '/fleet/artifacts/autonomy/lanes');
    expect(f).toEqual({
      dir: '/fleet/artifacts/autonomy/lanes/l1',
      pidFile: '/fleet/artifacts/autonomy/lanes/l1/lane.pid',
      stateFile: '/fleet/artifacts/autonomy/lanes/l1/state.json',
      heartbeatFile: '/fleet/artifacts/autonomy/lanes/l1/heartbeat.json',
      tasksFile: null,
      queueFile: '/fleet/artifacts/autonomy/lanes/l1/task_queue.ndjson',
      claimedFile: '/fleet/artifacts/autonomy/lanes/l1/task_queue_state.json',
    });
  });

  it('honours state_file and heartbeat_file overrides relative to the root, and refuses one leaving it', () => {
    const f = laneFiles(
      {
        id: 'l1',
        state_file: 'state/l1.json',
        heartbeat_file: '/var/hb/l1.json',
        tasks_file: 'tasks.json',
      },
      '/fleet',
      '/fleet/rt',
    );
    expect([f.stateFile, f.heartbeatFile, f.tasksFile, f.pidFile]).toEqual([
      '/fleet/state/l1.json',
      '/var/hb/l1.json',
      '/fleet/tasks.json',
      '/fleet/rt/l1/lane.pid',
    ]);
    expect(() =>
      laneFiles({ id: 'l1', state_file: '../elsewhere.json' }, '/fleet', '/fleet/rt'),
    ).toThrow('config/lanes.json: l1.state_file: "../elsewhere.json" leaves the fleet root');
  });

  it('the orxaq adapter counts work from an overridden state_file and ages the overridden heartbeat', async () => {
    const root = fleetRoot();
    atomicWriteJson(path.join(root, 'config/lanes.json'), {
      version: 1,
      lanes: [
        {
          id: 'l1',
          tasks_file: 'config/lanes/l1_tasks.json',
          state_file: 'state/l1_state.json',
          heartbeat_file: 'state/l1_heartbeat.json',
        },
      ],
    });
    atomicWriteJson(path.join(root, 'config/lanes/l1_tasks.json'), [
      { id: 't1' },
      { id: 't2' },
      { id: 't3' },
    ]);
    atomicWriteJson(path.join(root, 'state/l1_state.json'), {
      t1: { status: 'done' },
      t2: { status: 'in_progress' },
    });
    // The default files say something else: they must not be read.
    mkdirSync(path.join(root, 'artifacts/autonomy/lanes/l1'), { recursive: true });
    atomicWriteJson(path.join(root, 'artifacts/autonomy/lanes/l1/state.json'), {
      t1: { status: 'blocked' },
      t2: { status: 'blocked' },
      t3: { status: 'blocked' },
    });
    const now = new Date();
    atomicWriteJson(path.join(root, 'state/l1_heartbeat.json'), {
      timestamp: new Date(now.getTime() - 42_000).toISOString(),
    });
    const read = await createLaneAdapter(loadConfig({ root, env: {} })).read(now);
    expect(read.errors).toEqual([]);
    expect(read.lanes[0]).toMatchObject({
      id: 'l1',
      work: { pending: 1, in_progress: 1, blocked: 0, done: 1 },
      heartbeatAgeSec: 42,
    });
  });

  it('reads the runtime dir from ORXAQ_AUTONOMY_LANES_RUNTIME_DIR unless the guard config sets lanes.runtime_dir', async () => {
    const root = fleetRoot();
    atomicWriteJson(path.join(root, 'config/lanes.json'), [{ id: 'l1' }]);
    mkdirSync(path.join(root, 'runtime/l1'), { recursive: true });
    writeFileSync(path.join(root, 'runtime/l1/paused.flag'), 'manual');
    const env = { ORXAQ_AUTONOMY_LANES_RUNTIME_DIR: 'runtime' };
    const config = loadConfig({ root, env });
    expect(config.paths.runtimeDir).toBe(path.join(root, 'runtime'));
    expect((await createLaneAdapter(config).read(new Date())).lanes[0]!.paused).toBe(true);
    expect(loadConfig({ root, env: {} }).paths.runtimeDir).toBe(
      path.join(root, 'artifacts/autonomy/lanes'),
    );

    const explicit = fleetRoot({ lanes: { runtime_dir: 'artifacts/autonomy/lanes' } });
    expect(loadConfig({ root: explicit, env }).paths.runtimeDir).toBe(
      path.join(explicit, 'artifacts/autonomy/lanes'),
    );
    expect(() => loadConfig({ root, env: { ORXAQ_AUTONOMY_LANES_RUNTIME_DIR: '../x' } })).toThrow(
      '$ORXAQ_AUTONOMY_LANES_RUNTIME_DIR: "../x" leaves the fleet root',
    );
  });
});
