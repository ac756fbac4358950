// History appends are on every cycle's path. Baseline: a raw appendFileSync of the same line.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import { HistoryStore } from '../src/history/store.js';
import { systemClock } from '../src/util/clock.js';

const dir = mkdtempSync(path.join(tmpdir(), 'laneguard-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fields = {
  cycle_id: '20260601T120000-abcdef',
  lane: 'lane-42',
  trigger: 'schedule',
  score: 350,
  endpoint_key: 'ep-3',
  pid: 12345,
};
const store = new HistoryStore(
  path.join(dir, 'history.ndjson'),
  { maxBytes: 4 * 1024 * 1024, keepFiles: 2 },
  systemClock,
);
const raw = path.join(dir, 'raw.ndjson');

describe('history append (one event)', () => {
  bench('baseline: appendFileSync of the line', () => {
    appendFileSync(
      raw,
      `${JSON.stringify({ ts: new Date().toISOString(), type: 'lane_started', ...fields })}\n`,
    );
  });
  bench('HistoryStore.append (rotation check, torn-line check, append)', () => {
    store.append('lane_started', fields);
  });
});
