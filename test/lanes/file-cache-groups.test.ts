import { renameSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileCache, FileGroup, type FileRead, type Parser } from '../../src/lanes/file-cache.js';
import { tempDir } from '../helpers/tmp.js';
import { quietLaneDir as laneDir } from './helpers.js';

const TEXT: Parser<string> = { name: 'text', parse: (text) => text };

const value = (read: FileRead<unknown>): unknown =>
  read.state === 'present' ? read.value : read.state;

const FILES = ['state.json', 'heartbeat.json', 'lane.pid', 'paused.flag'];

/**
 * One pass over groups of files, as the lane adapter reads lanes: a group is skipped when the cache
 * says nothing of it changed (then its last values stand), else read file by file.
 */
function pass(cache: FileCache, groups: Map<string, { group: FileGroup; values: unknown[] }>) {
  cache.beginPass();
  const skipped: string[] = [];
  for (const [dir, memo] of groups) {
    if (memo.values.length > 0 && cache.skip(memo.group)) {
      skipped.push(path.basename(dir));
      continue;
    }
    cache.beginGroup(memo.group);
    memo.values = FILES.map((f) => value(cache.get(path.join(dir, f), TEXT)));
    cache.endGroup(memo.group);
  }
  cache.endPass();
  return skipped;
}

function groupsOf(...dirs: string[]): Map<string, { group: FileGroup; values: unknown[] }> {
  return new Map(dirs.map((d) => [d, { group: new FileGroup(), values: [] }]));
}

describe('file groups (one lane read as a whole)', () => {
  it('skips a group none of whose files changed, with one stat per file present and one of the directory', () => {
    const root = tempDir();
    const a = laneDir(root, 'a', { 'state.json': '{}', 'heartbeat.json': '{"t":1}' });
    const b = laneDir(root, 'b', { 'state.json': '{}' });
    const cache = new FileCache();
    const groups = groupsOf(a, b);
    // First look (every file stat'ed), then a read that stats absent files through their directory.
    expect(pass(cache, groups)).toEqual([]);
    expect(pass(cache, groups)).toEqual([]);
    const stats = cache.counters.stats;
    expect(pass(cache, groups)).toEqual(['a', 'b']);
    expect(pass(cache, groups)).toEqual(['a', 'b']);
    // a: directory + 2 files; b: directory + 1 file.
    expect((cache.counters.stats - stats) / 2).toBe(5);
    expect(cache.counters.skipped).toBe(4);
  });

  it('reads a group again when one of its files changes, appears or goes; the others stay skipped', () => {
    const root = tempDir();
    const a = laneDir(root, 'a', { 'state.json': '{"n":1}' });
    const b = laneDir(root, 'b', { 'state.json': '{}' });
    const cache = new FileCache();
    const groups = groupsOf(a, b);
    pass(cache, groups);
    pass(cache, groups);
    expect(pass(cache, groups)).toEqual(['a', 'b']);

    writeFileSync(path.join(a, 'state.json'), '{"n":22}');
    expect(pass(cache, groups)).toEqual(['b']);
    expect(groups.get(a)!.values[0]).toBe('{"n":22}');

    writeFileSync(path.join(b, 'paused.flag'), 'manual');
    expect(pass(cache, groups)).not.toContain('b');
    expect(groups.get(b)!.values[3]).toBe('manual');
  });

  it('notices a rewrite in the same second as the last read (same size, inode and mtime)', () => {
    const root = tempDir();
    const a = laneDir(root, 'a', {});
    const file = path.join(a, 'state.json');
    const tick = Math.floor(Date.now() / 1000);
    writeFileSync(file, '{"t1":"pending"}');
    utimesSync(file, tick, tick);
    const cache = new FileCache();
    const groups = groupsOf(a);
    pass(cache, groups);
    pass(cache, groups);
    writeFileSync(file, '{"t1":"finish!"}');
    utimesSync(file, tick, tick);
    // The file is hot (touched less than 2 s before it was read): its group is never skipped.
    expect(pass(cache, groups)).toEqual([]);
    expect(groups.get(a)!.values[0]).toBe('{"t1":"finish!"}');
  });

  it('a file replaced by rename with the same size and an old mtime is read again (new inode)', () => {
    const root = tempDir();
    const a = laneDir(root, 'a', { 'state.json': '{"v":1}' });
    const cache = new FileCache();
    const groups = groupsOf(a);
    pass(cache, groups);
    pass(cache, groups);
    expect(pass(cache, groups)).toEqual(['a']);
    const old = Math.floor(Date.now() / 1000) - 60;
    const temp = path.join(root, 'state.json.tmp');
    writeFileSync(temp, '{"v":2}');
    utimesSync(temp, old, old);
    renameSync(temp, path.join(a, 'state.json'));
    // The rename changed the directory too: put its mtime back, so only the file's inode differs.
    utimesSync(a, old, old);
    expect(pass(cache, groups)).toEqual([]);
    expect(groups.get(a)!.values[0]).toBe('{"v":2}');
  });

  it("a group relying on a directory another group stat'ed first is read file by file every pass", () => {
    const root = tempDir();
    const shared = laneDir(root, 'shared', {});
    const cache = new FileCache();
    const a = { group: new FileGroup(), values: [] as unknown[] };
    const b = { group: new FileGroup(), values: [] as unknown[] };
    const run = (): string[] => {
      cache.beginPass();
      const skipped: string[] = [];
      for (const [name, memo] of [
        ['a', a],
        ['b', b],
      ] as const) {
        if (memo.values.length > 0 && cache.skip(memo.group)) skipped.push(name);
        else {
          cache.beginGroup(memo.group);
          // Both groups read absent files of the same directory.
          memo.values = [value(cache.get(path.join(shared, `${name}.flag`), TEXT))];
          cache.endGroup(memo.group);
        }
      }
      cache.endPass();
      return skipped;
    };
    run();
    run();
    expect(run()).toEqual(['a']);
    // Whoever stats the directory first, the other group still sees a flag that appears.
    writeFileSync(path.join(shared, 'b.flag'), 'manual');
    expect(run()).toEqual([]);
    expect(b.values).toEqual(['manual']);
  });
});
