import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandAdapter } from '../../src/lanes/command.js';
import { tempDir } from '../helpers/tmp.js';

function adapter(root: string, script: string, timeoutSec = 10): CommandAdapter {
  const file = path.join(root, 'status.mjs');
  writeFileSync(file, script);
  return new CommandAdapter({
    root,
    runtimeDir: path.join(root, 'lanes'),
    statusCommand: [process.execPath, file, '--root', '{root}'],
    timeoutSec,
    staleManualPauseSec: 600,
  });
}

describe('command lane source', () => {
  it('reads lanes from the status command; a malformed lane is reported and skipped', async () => {
    const root = tempDir();
    const lanes = [
      {
        id: 'a',
        enabled: true,
        local_only: true,
        endpoints: ['http://127.0.0.1:1/v1', 'http://127.0.0.1:2/v1'],
        running: false,
        pid: null,
        paused: true,
        pause: { message: 'manual pause', age_sec: 900, hold: false },
        work: { pending: 2, queued: 1 },
        heartbeat_age_sec: 12,
        owner: 'ops',
      },
      {
        id: 'b',
        running: true,
        pid: 1234,
        paused: true,
        pause: { message: 'maintenance', age_sec: 10, hold: true },
      },
      { id: '../evil', running: false },
      { id: 'c', work: { pending: -1 } },
      'nonsense',
    ];
    const a = adapter(
      root,
      `if (process.argv[3] !== ${JSON.stringify(root)}) process.exit(9); console.log(JSON.stringify({ lanes: ${JSON.stringify(lanes)} }));`,
    );
    const read = await a.read(new Date());
    expect(read.lanes.map((l) => l.id)).toEqual(['a', 'b']);
    expect(read.lanes[0]).toMatchObject({
      local: true,
      localOnly: true,
      endpointUrls: ['http://127.0.0.1:1/v1', 'http://127.0.0.1:2/v1'],
      pause: { manual: true, held: false, stale: true, ageSec: 900 },
      work: { pending: 2, in_progress: 0, blocked: 0, done: 0, queued: 1 },
      heartbeatAgeSec: 12,
    });
    expect(read.lanes[1]).toMatchObject({
      running: true,
      pid: 1234,
      local: false,
      pause: { held: true, stale: false },
    });
    expect(read.errors.map((e) => e.id)).toEqual(['../evil', 'c', 'lanes[4]']);
  });

  it("laneguard's own pause flag in the runtime dir counts for this source too", async () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'lanes', 'a'), { recursive: true });
    writeFileSync(
      path.join(root, 'lanes', 'a', 'paused.flag'),
      JSON.stringify({ reason: 'manual', hold: true }),
    );
    const a = adapter(
      root,
      `console.log(JSON.stringify({ lanes: [{ id: 'a', paused: false }, { id: 'b', paused: true, pause: { message: 'manual', age_sec: 5 } }] }));`,
    );
    const read = await a.read(new Date());
    expect(read.lanes.map((l) => [l.id, l.paused, l.pause?.held])).toEqual([
      ['a', true, true],
      ['b', true, false],
    ]);
  });

  it('a failing, hanging or garbled status command is one error row, never a crash', async () => {
    const root = tempDir();
    expect((await adapter(root, 'process.exit(3)').read(new Date())).errors[0]!.error).toMatch(
      /lanes\.status_command failed: exit 3/,
    );
    expect(
      (await adapter(root, 'console.log("{not json")').read(new Date())).errors[0]!.error,
    ).toMatch(/printed invalid JSON/);
    expect(
      (await adapter(root, 'console.log(JSON.stringify({ rows: [] }))').read(new Date())).errors[0]!
        .error,
    ).toMatch(/must print \{"lanes": \[\.\.\.\]\}/);
    const hung = await adapter(root, 'setInterval(() => {}, 1000)', 0.5).read(new Date());
    expect(hung.lanes).toEqual([]);
    expect(hung.errors[0]!.error).toMatch(/timed out after 500 ms/);
  });

  it('a lane id listed twice is an error row, never two lanes (which could be started twice)', async () => {
    const root = tempDir();
    const lanes = [
      { id: 'a', endpoints: ['http://127.0.0.1:1/v1'], work: { pending: 1 } },
      { id: 'b', endpoints: ['http://127.0.0.1:1/v1'] },
      { id: 'a', endpoints: ['http://127.0.0.1:1/v1'], work: { pending: 5 } },
    ];
    const read = await adapter(
      root,
      `console.log(JSON.stringify({ lanes: ${JSON.stringify(lanes)} }))`,
    ).read(new Date());
    expect(read.lanes.map((l) => l.id)).toEqual(['a', 'b']);
    expect(read.lanes[0]!.work.pending).toBe(1);
    expect(read.errors).toEqual([
      { id: 'a', source: 'status_command', error: 'lanes[2]: duplicate lane id' },
    ]);
  });
});
