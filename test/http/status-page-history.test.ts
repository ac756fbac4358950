// The status page reads only the tail of the history: bounded work per page load.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecentHistory } from '../../src/http/page/recent-history.js';
import { tempDir } from '../helpers/tmp.js';

const line = (i: number): string =>
  JSON.stringify({
    ts: `2026-06-01T00:00:${String(i).padStart(2, '0')}.000Z`,
    type: 'lane_started',
    i,
  });

describe('readRecentHistory', async () => {
  it('reads the current file oldest first and skips lines that are not events', async () => {
    const file = path.join(tempDir(), 'h.ndjson');
    writeFileSync(file, `${line(1)}\nnot json\n{"ts":"x"}\n${line(2)}\n{"torn":`);
    expect(await readRecentHistory(file, 3)).toEqual({
      events: [JSON.parse(line(1)), JSON.parse(line(2))],
      error: null,
    });
  });

  it('stops at the byte budget, dropping the line the budget cut', async () => {
    const file = path.join(tempDir(), 'h.ndjson');
    const lines = Array.from({ length: 10 }, (_, i) => line(i));
    writeFileSync(file, `${lines.join('\n')}\n`);
    // The budget covers the last three lines and part of the fourth from the end.
    const budget = Buffer.byteLength(`${lines.slice(-3).join('\n')}\n`) + 10;
    expect((await readRecentHistory(file, 3, budget)).events.map((e) => e.i)).toEqual([7, 8, 9]);
    // A cut exactly at the start of a line keeps that line.
    expect((await readRecentHistory(file, 3, budget - 10)).events.map((e) => e.i)).toEqual([
      7, 8, 9,
    ]);
    expect((await readRecentHistory(file, 3, budget - 11)).events.map((e) => e.i)).toEqual([8, 9]);
  });

  it('goes on into rotated files while the budget lasts, newest last', async () => {
    const file = path.join(tempDir(), 'h.ndjson');
    writeFileSync(`${file}.2`, `${line(1)}\n${line(2)}\n`);
    writeFileSync(`${file}.1`, `${line(3)}\n`);
    writeFileSync(file, `${line(4)}\n`);
    expect((await readRecentHistory(file, 3)).events.map((e) => e.i)).toEqual([1, 2, 3, 4]);
    const oneAndAHalf = Buffer.byteLength(`${line(4)}\n${line(3)}\n`) + 5;
    expect((await readRecentHistory(file, 3, oneAndAHalf)).events.map((e) => e.i)).toEqual([3, 4]);
    // keep_files bounds which rotated files exist for the guard.
    expect((await readRecentHistory(file, 1)).events.map((e) => e.i)).toEqual([3, 4]);
  });

  it('no history yet is no events and no error; an unreadable one is an error to show', async () => {
    const dir = tempDir();
    expect(await readRecentHistory(path.join(dir, 'none.ndjson'), 3)).toEqual({
      events: [],
      error: null,
    });
    const asDir = path.join(dir, 'dir.ndjson');
    mkdirSync(asDir);
    const result = await readRecentHistory(asDir, 3);
    expect(result.events).toEqual([]);
    expect(result.error).toMatch(/^history unreadable: EISDIR/);
  });
});
