// Many writers, one history: serve, heartbeat run, the watchdog and CLI commands append to the same
// file. Real processes append and rotate at once; every line must survive, whole, exactly once.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyFiles, historyLockFile } from '../../src/history/store.js';
import { tempDir } from '../helpers/tmp.js';

const WRITER = path.resolve('test/fixtures/history-writer.mjs');
const WRITERS = 4;
const EVENTS = 1500;
// ~200-byte lines against a 4 KiB cap: a rotation every ~20 appends, so rotations collide.
const MAX_BYTES = 4096;
const KEEP = 1000;

function runWriter(file: string, id: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [WRITER, file, id, String(EVENTS), String(MAX_BYTES), String(KEEP)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('history with several writer processes', () => {
  it('loses no line while they append and rotate concurrently', async () => {
    const file = path.join(tempDir(), 'history.ndjson');
    const ids = Array.from({ length: WRITERS }, (_, i) => `w${i}`);
    const results = await Promise.all(ids.map((id) => runWriter(file, id)));
    for (const r of results) {
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ errors: 0 });
    }
    const seen = new Map<string, number>();
    let garbage = 0;
    for (const f of historyFiles(file, KEEP)) {
      for (const line of readFileSync(f, 'utf8').split('\n')) {
        if (line === '') continue;
        let e: { type?: string; writer?: string; n?: number };
        try {
          e = JSON.parse(line) as typeof e;
        } catch {
          garbage++;
          continue;
        }
        if (e.type !== 'writer_test') continue;
        const key = `${e.writer}:${e.n}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    expect(garbage).toBe(0);
    // Nothing was treated as torn: no repair cut another writer's line.
    expect(existsSync(`${file}.torn`)).toBe(false);
    const missing = ids
      .flatMap((id) => Array.from({ length: EVENTS }, (_, n) => `${id}:${n}`))
      .filter((k) => !seen.has(k));
    expect(missing).toEqual([]);
    expect([...seen.values()].every((c) => c === 1)).toBe(true);
    expect(historyFiles(file, KEEP).length).toBeGreaterThan(50);
    // The lock is released at the end.
    expect(existsSync(historyLockFile(file))).toBe(false);
  }, 180_000);
});
