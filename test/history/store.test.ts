import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSince, queryHistory } from '../../src/history/query.js';
import { historyFiles, HistoryStore } from '../../src/history/store.js';
import { FakeClock } from '../../src/util/clock.js';
import { tempDir } from '../helpers/tmp.js';

describe('history store', () => {
  it('appends one JSON object per line with ts and type', async () => {
    const file = path.join(tempDir(), 'h.ndjson');
    const store = new HistoryStore(
      file,
      { maxBytes: 1e6, keepFiles: 2 },
      new FakeClock('2026-06-01T00:00:00.000Z'),
    );
    store.append('cycle', { cycle_id: 'c1', ok: true });
    store.append('lane_started', { lane: 'a' });
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { ts: '2026-06-01T00:00:00.000Z', type: 'cycle', cycle_id: 'c1', ok: true },
      { ts: '2026-06-01T00:00:00.000Z', type: 'lane_started', lane: 'a' },
    ]);
  });

  it('is bounded: rotates at max_bytes keeping keep_files', async () => {
    const file = path.join(tempDir(), 'h.ndjson');
    const store = new HistoryStore(file, { maxBytes: 2000, keepFiles: 3 }, new FakeClock());
    for (let i = 0; i < 500; i++) store.append('cycle', { i, pad: 'p'.repeat(50) });
    const files = historyFiles(file, 10);
    expect(files.map((f) => path.basename(f))).toEqual([
      'h.ndjson.3',
      'h.ndjson.2',
      'h.ndjson.1',
      'h.ndjson',
    ]);
    for (const f of files) expect(statSync(f).size).toBeLessThanOrEqual(2000);
    const events = (await queryHistory(file, 3)).events;
    // The newest events survive, in order, without gaps.
    expect(events.at(-1)!.i).toBe(499);
    const ids = events.map((e) => e.i as number);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, k) => ids[0]! + k));
    // The newest events, oldest first, even when the limit reaches into a rotated file.
    const current = (await queryHistory(file, 0)).events.length;
    expect((await queryHistory(file, 3, { limit: current + 2 })).events.map((e) => e.i)).toEqual(
      ids.slice(-(current + 2)),
    );
  });

  it('repairs a torn last line, keeps the fragment, and records the repair', async () => {
    const file = path.join(tempDir(), 'h.ndjson');
    const fragment = '{"ts":"2026-06-01T00:00:01.000Z","type":"lane_sta';
    writeFileSync(file, `{"ts":"2026-06-01T00:00:00.000Z","type":"cycle"}\n${fragment}`);
    const store = new HistoryStore(
      file,
      { maxBytes: 1e6, keepFiles: 2 },
      new FakeClock('2026-06-01T00:00:02.000Z'),
    );
    const result = store.repair();
    expect(result).toMatchObject({ repaired: true, droppedBytes: fragment.length });
    expect(readFileSync(`${file}.torn`, 'utf8')).toBe(`${fragment}\n`);
    const { events, skippedLines } = await queryHistory(file, 2);
    expect(skippedLines).toBe(0);
    expect(events.map((e) => e.type)).toEqual(['cycle', 'history_repaired']);
    expect(events[1]).toMatchObject({ dropped_bytes: fragment.length, saved_to: 'h.ndjson.torn' });
    expect(store.repair().repaired).toBe(false);
  });

  it('repairs before appending when another writer crashed mid-line', async () => {
    const file = path.join(tempDir(), 'h.ndjson');
    const store = new HistoryStore(file, { maxBytes: 1e6, keepFiles: 2 }, new FakeClock());
    store.append('cycle');
    appendFileSync(file, '{"torn":');
    store.append('lane_started', { lane: 'x' });
    expect((await queryHistory(file, 2)).events.map((e) => e.type)).toEqual([
      'cycle',
      'history_repaired',
      'lane_started',
    ]);
  });

  it('filters by type, lane, since and limit, and skips garbage lines', async () => {
    const file = path.join(tempDir(), 'h.ndjson');
    const clock = new FakeClock('2026-06-01T00:00:00.000Z');
    const store = new HistoryStore(file, { maxBytes: 1e6, keepFiles: 2 }, clock);
    store.append('lane_started', { lane: 'a' });
    clock.advance(3600_000);
    store.append('lane_started', { lane: 'b' });
    appendFileSync(file, 'not json\n[1,2]\n');
    store.append('cycle');
    expect(
      (await queryHistory(file, 2, { types: ['lane_started'] })).events.map((e) => e.lane),
    ).toEqual(['a', 'b']);
    expect((await queryHistory(file, 2, { lane: 'b' })).events).toHaveLength(1);
    expect(
      (await queryHistory(file, 2, { since: new Date('2026-06-01T00:30:00Z') })).events.map(
        (e) => e.type,
      ),
    ).toEqual(['lane_started', 'cycle']);
    expect((await queryHistory(file, 2, { limit: 1 })).events.map((e) => e.type)).toEqual([
      'cycle',
    ]);
    expect((await queryHistory(file, 2)).skippedLines).toBe(2);
  });

  it('caps every event: long strings and keys are cut with their length, an oversized event keeps its identity', async () => {
    const file = path.join(tempDir(), 'h.ndjson');
    const store = new HistoryStore(
      file,
      { maxBytes: 1e6, keepFiles: 2 },
      new FakeClock('2026-06-01T00:00:00.000Z'),
    );
    const hugeKey = 'k'.repeat(340_000);
    store.append('alert_received', {
      lane: 'a',
      message: 'm'.repeat(340_000),
      labels: { [hugeKey]: 'v', __proto__x: 1 },
    });
    store.append('cycle', {
      cycle_id: 'c9',
      lanes: Array.from({ length: 200 }, (_, i) => `${'x'.repeat(1000)}${i}`),
    });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(Buffer.byteLength(lines[0]!)).toBeLessThan(4096);
    const first = JSON.parse(lines[0]!);
    expect(first.message).toMatch(/^m{1024}… \[cut, 340000 chars\]$/);
    expect(Object.keys(first.labels)[0]).toMatch(/^k{128}… \[cut, 340000 chars\]$/);
    expect(first).toMatchObject({
      ts: '2026-06-01T00:00:00.000Z',
      type: 'alert_received',
      lane: 'a',
    });
    // 200 strings of 1 KiB each are each under the string cap, but the event is over 64 KiB.
    expect(JSON.parse(lines[1]!)).toEqual({
      ts: '2026-06-01T00:00:00.000Z',
      type: 'cycle',
      cycle_id: 'c9',
      truncated_bytes: expect.any(Number),
    });
    expect(JSON.parse(lines[1]!).truncated_bytes).toBeGreaterThan(200_000);
  });

  it('parses --since', async () => {
    const now = new Date('2026-06-01T12:00:00Z');
    expect(parseSince('1h', now)!.toISOString()).toBe('2026-06-01T11:00:00.000Z');
    expect(parseSince('30m', now)!.toISOString()).toBe('2026-06-01T11:30:00.000Z');
    expect(parseSince('2d', now)!.toISOString()).toBe('2026-05-30T12:00:00.000Z');
    expect(parseSince('2026-05-01T00:00:00Z', now)!.toISOString()).toBe('2026-05-01T00:00:00.000Z');
    expect(parseSince('yesterday-ish', now)).toBeNull();
  });

  it('a --since too far back for a Date is refused, not an Invalid Date that later throws', async () => {
    const now = new Date('2026-06-01T12:00:00Z');
    // 1e14 days back is beyond the ±8.64e15 ms a Date can hold; history trend called toISOString() on it and crashed.
    expect(parseSince('99999999999999d', now)).toBeNull();
  });
});
