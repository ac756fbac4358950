import { mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrxaqAdapter } from '../../src/lanes/orxaq.js';
import { tempDir } from '../helpers/tmp.js';

const LANES = 'config/lanes.json';
const runtime = (root: string): string => path.join(root, 'artifacts/autonomy/lanes');

function adapter(root: string): OrxaqAdapter {
  return new OrxaqAdapter({
    root,
    lanesFile: path.join(root, LANES),
    runtimeDir: runtime(root),
    staleManualPauseSec: 600,
  });
}

/** Put every file and directory of the root a minute in the past, as in a fleet that has been quiet. */
function ageTree(dir: string): void {
  const old = Math.floor(Date.now() / 1000) - 60;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) ageTree(full);
    utimesSync(full, old, old);
  }
  utimesSync(dir, old, old);
}

function fleet(lanes: number): string {
  const root = tempDir();
  mkdirSync(path.join(root, 'config/tasks'), { recursive: true });
  const specs = Array.from({ length: lanes }, (_, i) => ({
    id: `l${i}`,
    tasks_file: `config/tasks/l${i}.json`,
    env: { ORXAQ_LOCAL_OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' },
  }));
  writeFileSync(path.join(root, LANES), JSON.stringify({ version: 1, lanes: specs }));
  for (let i = 0; i < lanes; i++) {
    writeFileSync(
      path.join(root, `config/tasks/l${i}.json`),
      JSON.stringify([{ id: 't1' }, { id: 't2' }]),
    );
    mkdirSync(path.join(runtime(root), `l${i}`), { recursive: true });
    writeFileSync(
      path.join(runtime(root), `l${i}`, 'state.json'),
      JSON.stringify({ t1: { status: 'done' } }),
    );
    writeFileSync(
      path.join(runtime(root), `l${i}`, 'heartbeat.json'),
      JSON.stringify({ timestamp: new Date(Date.now() - 30_000).toISOString() }),
    );
  }
  ageTree(root);
  return root;
}

describe('orxaq lanes, read incrementally', () => {
  it('a second read of an unchanged fleet reads no file and gives the same lanes', async () => {
    const root = fleet(20);
    const lanes = adapter(root);
    const first = await lanes.read(new Date());
    const reads = lanes.counters.reads;
    // lanes.json, 20 tasks files, 20 state files, 20 heartbeats.
    expect(reads).toBe(61);
    const second = await lanes.read(new Date());
    expect(lanes.counters.reads).toBe(reads);
    expect(second.lanes.map((l) => [l.id, l.work, l.paused])).toEqual(
      first.lanes.map((l) => [l.id, l.work, l.paused]),
    );
    expect(second.lanes[0]!.work).toMatchObject({ pending: 1, done: 1 });
  });

  it('a first read lists each directory once and stats no lane file; it tells who asked what each held', async () => {
    const root = fleet(20);
    const listings = new Map<string, string[]>();
    const lanes = new OrxaqAdapter({
      root,
      lanesFile: path.join(root, LANES),
      runtimeDir: runtime(root),
      staleManualPauseSec: 600,
      onListing: (dir, names) => listings.set(dir, [...names].sort()),
    });
    const read = await lanes.read(new Date());
    expect(read.lanes).toHaveLength(20);
    expect(read.lanes[7]!.work).toMatchObject({ pending: 1, done: 1 });
    // config/ (lanes.json), config/tasks/ and the 20 lane directories, each listed and stat'ed once.
    expect(lanes.counters).toMatchObject({ listings: 22, stats: 22, reads: 61 });
    expect(listings.get(path.join(runtime(root), 'l7'))).toEqual(['heartbeat.json', 'state.json']);
  });

  it('a lane none of whose files changed is not read again; a lane whose state changes is', async () => {
    const root = fleet(20);
    const lanes = adapter(root);
    // The first read looks at every file; the second stats absent files through their directory.
    await lanes.read(new Date());
    await lanes.read(new Date());
    const before = { ...lanes.counters };
    const quiet = await lanes.read(new Date());
    expect(lanes.counters.skipped - before.skipped).toBe(20);
    expect(lanes.counters.reads).toBe(before.reads);
    expect(quiet.lanes[3]!.work).toMatchObject({ pending: 1, done: 1 });

    writeFileSync(
      path.join(runtime(root), 'l3', 'state.json'),
      JSON.stringify({ t1: { status: 'done' }, t2: { status: 'done' } }),
    );
    const after = await lanes.read(new Date());
    expect(lanes.counters.skipped - before.skipped).toBe(20 + 19);
    expect(after.lanes[3]!.work).toMatchObject({ pending: 0, done: 2 });
    expect(after.lanes.map((l) => l.id)).toEqual(quiet.lanes.map((l) => l.id));
  });

  it('notices a state rewrite in the same second as the previous read (same size, same mtime)', async () => {
    const root = fleet(3);
    const file = path.join(runtime(root), 'l1', 'state.json');
    const tick = Math.floor(Date.now() / 1000);
    writeFileSync(file, JSON.stringify({ t1: { status: 'blocked' } }));
    utimesSync(file, tick, tick);
    const lanes = adapter(root);
    expect((await lanes.read(new Date())).lanes[1]!.work).toMatchObject({ pending: 1, blocked: 1 });
    // Same length, same inode, and the timestamp put back: only the read time tells it may have changed.
    writeFileSync(file, JSON.stringify({ t1: { status: 'pending' } }));
    utimesSync(file, tick, tick);
    expect((await lanes.read(new Date())).lanes[1]!.work).toMatchObject({ pending: 2, blocked: 0 });
  });

  it('a pause flag that appears or goes, a torn state file and a removed lane are all seen on the next read', async () => {
    const root = fleet(3);
    const lanes = adapter(root);
    await lanes.read(new Date());
    writeFileSync(path.join(runtime(root), 'l0', 'paused.flag'), 'manual pause');
    writeFileSync(path.join(runtime(root), 'l2', 'state.json'), '{"t1": {"status": "do');
    let read = await lanes.read(new Date());
    expect(read.lanes.map((l) => [l.id, l.paused])).toEqual([
      ['l0', true],
      ['l1', false],
    ]);
    expect(read.errors).toEqual([
      {
        id: 'l2',
        source: 'lane_read',
        error: expect.stringMatching(/l2\/state\.json is not valid JSON/),
      },
    ]);

    rmSync(path.join(runtime(root), 'l0', 'paused.flag'));
    writeFileSync(
      path.join(root, LANES),
      JSON.stringify([{ id: 'l0' }, { id: 'l1', tasks_file: 'config/tasks/l1.json' }]),
    );
    read = await lanes.read(new Date());
    expect(read.errors).toEqual([]);
    expect(read.lanes.map((l) => [l.id, l.paused, l.work.pending])).toEqual([
      ['l0', false, 0],
      ['l1', false, 1],
    ]);
  });

  it('heartbeat and pause ages follow the clock without reading the files again', async () => {
    const root = fleet(1);
    writeFileSync(path.join(runtime(root), 'l0', 'paused.flag'), 'manual');
    ageTree(root);
    const lanes = adapter(root);
    const now = Date.now();
    const a = (await lanes.read(new Date(now))).lanes[0]!;
    const reads = lanes.counters.reads;
    const b = (await lanes.read(new Date(now + 600_000))).lanes[0]!;
    expect(lanes.counters.reads).toBe(reads);
    expect(b.heartbeatAgeSec! - a.heartbeatAgeSec!).toBe(600);
    expect(b.pause!.ageSec - a.pause!.ageSec).toBeCloseTo(600, 0);
    expect([a.pause!.stale, b.pause!.stale]).toEqual([false, true]);
  });
});
