import { spawnSync } from 'node:child_process';
import { statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileCache, type FileRead, type Parser } from '../../src/lanes/file-cache.js';
import { NOT_TAKEN, PathList, startPrefetch } from '../../src/lanes/stat-prefetch.js';
import { tempDir } from '../helpers/tmp.js';

const TEXT: Parser<string> = { name: 'text', parse: (text) => text };
const value = (read: FileRead<unknown>): unknown =>
  read.state === 'present' ? read.value : read.state;

/**
 * One pass that gives the helper thread time to stat the whole list first (a pass over a large
 * fleet gives it that time by itself).
 */
async function pass(cache: FileCache, files: string[]): Promise<unknown[]> {
  cache.beginPass();
  await new Promise((r) => setTimeout(r, 300));
  const values = files.map((f) => value(cache.get(f, TEXT)));
  cache.endPass();
  return values;
}

function files(n: number): string[] {
  const dir = tempDir();
  const old = Math.floor(Date.now() / 1000) - 60;
  const list = Array.from({ length: n }, (_, i) => {
    const file = path.join(dir, `f${i}`);
    if (i % 3 !== 0) {
      writeFileSync(file, `v${i}`);
      utimesSync(file, old, old);
    }
    return file;
  });
  utimesSync(dir, old, old);
  return list;
}

describe('stats taken ahead by the helper thread', () => {
  it('gives the same values as inline stats and notices changes, absent files and same-second rewrites', async () => {
    const list = files(200);
    const cache = new FileCache({ prefetchMinPaths: 1 });
    const inline = new FileCache({ prefetchMinPaths: Infinity });
    const expected = await pass(inline, list);
    expect(await pass(cache, list)).toEqual(expected);
    // The helper starts with the second pass; by the third it is up.
    await pass(cache, list);
    const before = { ...cache.counters };
    expect(await pass(cache, list)).toEqual(expected);
    expect(cache.counters.prefetched - before.prefetched).toBe(cache.counters.stats - before.stats);
    // Asked for in another order: each path's stat is found at the slot the cache kept for it.
    const reordered = [...list].reverse();
    const moved = { ...cache.counters };
    expect(await pass(cache, reordered)).toEqual([...expected].reverse());
    expect(cache.counters.prefetched - moved.prefetched).toBe(cache.counters.stats - moved.stats);

    const tick = Math.floor(Date.now() / 1000);
    writeFileSync(list[1]!, 'w1');
    utimesSync(list[1]!, tick, tick);
    writeFileSync(list[3]!, 'now here');
    const changed = await pass(cache, list);
    expect([changed[1], changed[3]]).toEqual(['w1', 'now here']);
    // Same size, inode and mtime as the read before: still seen (the file is hot).
    writeFileSync(list[1]!, 'w2');
    utimesSync(list[1]!, tick, tick);
    expect((await pass(cache, list))[1]).toBe('w2');
  });

  it('hands a long list over in parts between passes, then takes every stat of it', async () => {
    // More paths than one part holds (4,096): the list reaches the helper over several turns.
    const list = files(9000);
    const cache = new FileCache({ prefetchMinPaths: 1 });
    const inline = new FileCache({ prefetchMinPaths: Infinity });
    const expected = await pass(inline, list);
    expect(await pass(cache, list)).toEqual(expected);
    // The pass after the list was made hands it over (its own stats are inline); the next uses it.
    const handover = { ...cache.counters };
    expect(await pass(cache, list)).toEqual(expected);
    expect(cache.counters.prefetched - handover.prefetched).toBe(0);
    const before = { ...cache.counters };
    expect(await pass(cache, list)).toEqual(expected);
    expect(cache.counters.stats - before.stats).toBeGreaterThan(9000 / 2);
    expect(cache.counters.prefetched - before.prefetched).toBe(cache.counters.stats - before.stats);
  });

  it('a hand-over replaced by another list and begun again delivers the list once, in order', async () => {
    const list = files(9000);
    const a = new PathList(list);
    const b = new PathList(list.map((f) => `${f}.other`));
    // Two caches' passes within the turns one hand-over takes: A, then B, then A again.
    expect([startPrefetch(a), startPrefetch(b), startPrefetch(a)]).toEqual([null, null, null]);
    await new Promise((r) => setTimeout(r, 100));
    const prefetch = startPrefetch(a);
    expect(prefetch).not.toBeNull();
    await new Promise((r) => setTimeout(r, 300));
    let taken = 0;
    for (let i = 0; i < list.length; i++) {
      const got = prefetch!.take(list[i]!, i);
      if (got === NOT_TAKEN) continue;
      taken++;
      const stat = statSync(list[i]!, { throwIfNoEntry: false });
      expect(got === undefined ? undefined : got.ino, list[i]).toBe(stat?.ino);
    }
    prefetch!.end();
    expect(taken).toBe(list.length);
  });

  it('does not keep the process alive', () => {
    const dir = tempDir();
    const script = path.join(dir, 'pass.mjs');
    writeFileSync(
      script,
      `import { FileCache } from ${JSON.stringify(path.resolve('dist/lanes/file-cache.js'))};
const cache = new FileCache({ prefetchMinPaths: 1 });
for (let i = 0; i < 3; i++) {
  cache.beginPass();
  cache.get(${JSON.stringify(script)}, { name: 'text', parse: (t) => t });
  await new Promise((r) => setTimeout(r, 100));
  cache.endPass();
}
console.log('done');
`,
    );
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 10_000 });
    expect(run.stdout.trim()).toBe('done');
    expect(run.status).toBe(0);
  });
});
