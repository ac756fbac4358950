import { mkdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FileCache,
  HOT_WINDOW_MS,
  type FileRead,
  type Parser,
} from '../../src/lanes/file-cache.js';
import { tempDir } from '../helpers/tmp.js';

const TEXT: Parser<string> = { name: 'text', parse: (text) => text };
const JSON_OBJECT: Parser<unknown> = {
  name: 'json',
  parse: (text, file) => {
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`${file} is not valid JSON`);
    }
  },
};

/** One pass over `files`, as the lane adapter does once per cycle. */
function pass<T>(cache: FileCache, files: string[], parser: Parser<T>): FileRead<T>[] {
  cache.beginPass();
  const results = files.map((f) => cache.get(f, parser));
  cache.endPass();
  return results;
}

const value = (read: FileRead<unknown> | undefined): unknown =>
  read?.state === 'present' ? read.value : read?.state;

/** Whole seconds, so a timestamp can be put back exactly as it was. */
function setMtime(file: string, epochSec: number): void {
  utimesSync(file, epochSec, epochSec);
}

describe('incremental file reads', () => {
  it('reads everything on the first pass and nothing on a pass over unchanged files', () => {
    const dir = tempDir();
    const files = ['a', 'b', 'c'].map((n) => path.join(dir, n));
    const old = Math.floor(Date.now() / 1000) - 60;
    for (const f of files) {
      writeFileSync(f, `content of ${path.basename(f)}`);
      setMtime(f, old);
    }
    const cache = new FileCache();
    expect(pass(cache, files, TEXT).map(value)).toEqual([
      'content of a',
      'content of b',
      'content of c',
    ]);
    expect(cache.counters.reads).toBe(3);
    expect(pass(cache, files, TEXT).map(value)).toEqual([
      'content of a',
      'content of b',
      'content of c',
    ]);
    expect(cache.counters.reads).toBe(3);
  });

  it('notices a rewrite in the same second as the previous read, even with the same size, inode and mtime', () => {
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    // A file system with one-second timestamps: both writes carry the same whole-second mtime.
    const tick = Math.floor(Date.now() / 1000);
    writeFileSync(file, '{"t1":"pending"}');
    setMtime(file, tick);
    const cache = new FileCache();
    expect(value(pass(cache, [file], JSON_OBJECT)[0])).toEqual({ t1: 'pending' });
    const before = statSync(file);

    writeFileSync(file, '{"t1":"finish!"}');
    setMtime(file, tick);
    const after = statSync(file);
    expect([after.ino, after.size, after.mtimeMs]).toEqual([
      before.ino,
      before.size,
      before.mtimeMs,
    ]);

    expect(value(pass(cache, [file], JSON_OBJECT)[0])).toEqual({ t1: 'finish!' });
  });

  it('a file last touched well before the read is trusted by size, inode and mtime; a real change is read', () => {
    const dir = tempDir();
    const file = path.join(dir, 'heartbeat.json');
    writeFileSync(file, '{"n":1}');
    setMtime(file, Math.floor(Date.now() / 1000) - (2 * HOT_WINDOW_MS) / 1000);
    const cache = new FileCache();
    pass(cache, [file], JSON_OBJECT);
    pass(cache, [file], JSON_OBJECT);
    expect(cache.counters.reads).toBe(1);
    writeFileSync(file, '{"n":2}');
    expect(value(pass(cache, [file], JSON_OBJECT)[0])).toEqual({ n: 2 });
    expect(cache.counters.reads).toBe(2);
  });

  it('a file replaced by rename with the same size and an old mtime is read again (new inode)', () => {
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    const old = Math.floor(Date.now() / 1000) - 60;
    writeFileSync(file, '{"v":1}');
    setMtime(file, old);
    const cache = new FileCache();
    pass(cache, [file], JSON_OBJECT);
    const tmp = path.join(dir, 'state.json.tmp');
    writeFileSync(tmp, '{"v":2}');
    setMtime(tmp, old);
    renameSync(tmp, file);
    expect(value(pass(cache, [file], JSON_OBJECT)[0])).toEqual({ v: 2 });
  });

  it('remembers an absent file without looking at it until its directory changes', () => {
    const dir = tempDir();
    const laneDir = path.join(dir, 'lane-a');
    mkdirSync(laneDir);
    const flag = path.join(laneDir, 'paused.flag');
    const pid = path.join(laneDir, 'lane.pid');
    const old = Math.floor(Date.now() / 1000) - 60;
    setMtime(laneDir, old);
    const cache = new FileCache();
    expect(pass(cache, [flag, pid], TEXT).map(value)).toEqual(['absent', 'absent']);
    const stats = cache.counters.stats;
    expect(pass(cache, [flag, pid], TEXT).map(value)).toEqual(['absent', 'absent']);
    // One stat of the directory for both files, none of the files.
    expect(cache.counters.stats - stats).toBe(1);

    writeFileSync(flag, 'manual');
    expect(pass(cache, [flag, pid], TEXT).map(value)).toEqual(['manual', 'absent']);
    rmSync(flag);
    expect(pass(cache, [flag, pid], TEXT).map(value)).toEqual(['absent', 'absent']);
  });

  it('a missing lane directory is remembered through its parent; creating it is noticed', () => {
    const runtime = tempDir();
    const old = Math.floor(Date.now() / 1000) - 60;
    setMtime(runtime, old);
    const files = ['l1', 'l2', 'l3'].map((id) => path.join(runtime, id, 'state.json'));
    const cache = new FileCache();
    pass(cache, files, JSON_OBJECT);
    const stats = cache.counters.stats;
    expect(pass(cache, files, JSON_OBJECT).map(value)).toEqual(['absent', 'absent', 'absent']);
    // Each missing lane directory once, and the runtime directory they resolve to once.
    expect(cache.counters.stats - stats).toBe(4);

    mkdirSync(path.join(runtime, 'l2'));
    writeFileSync(path.join(runtime, 'l2', 'state.json'), '{"t":1}');
    expect(pass(cache, files, JSON_OBJECT).map(value)).toEqual(['absent', { t: 1 }, 'absent']);
  });

  it('a file that cannot be parsed is an error naming it, kept until the file changes', () => {
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    writeFileSync(file, '{"torn');
    setMtime(file, Math.floor(Date.now() / 1000) - 60);
    const cache = new FileCache();
    const [first] = pass(cache, [file], JSON_OBJECT);
    expect(first).toMatchObject({ state: 'error', error: `${file} is not valid JSON` });
    pass(cache, [file], JSON_OBJECT);
    expect(cache.counters.reads).toBe(1);
    writeFileSync(file, '{"fixed":true}');
    expect(value(pass(cache, [file], JSON_OBJECT)[0])).toEqual({ fixed: true });
  });

  it('a directory where a file should be is an error, not a crash', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'paused.flag'));
    const [read] = pass(new FileCache(), [path.join(dir, 'paused.flag')], TEXT);
    expect(read).toMatchObject({
      state: 'error',
      error: expect.stringMatching(/paused\.flag is not a regular file/),
    });
  });

  it('each new value gets a new version, an unchanged one keeps it', () => {
    const dir = tempDir();
    const file = path.join(dir, 'f');
    writeFileSync(file, 'one');
    setMtime(file, Math.floor(Date.now() / 1000) - 60);
    const cache = new FileCache();
    const [a] = pass(cache, [file], TEXT);
    const [b] = pass(cache, [file], TEXT);
    writeFileSync(file, 'two');
    const [c] = pass(cache, [file], TEXT);
    const version = (r: FileRead<unknown> | undefined): number | undefined =>
      r?.state === 'present' ? r.version : undefined;
    expect(version(a)).toBe(version(b));
    expect(version(c)).toBeGreaterThan(version(a)!);
  });
});
