// First looks answered by a listing of the directory (src/lanes/cache-dirs.ts): no stat of a file
// the cache has never read, and the rules for absent files unchanged.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  LISTED_ABSENT,
  LISTED_PRESENT,
  LISTED_UNSURE,
  lookUpListed,
  type Listing,
} from '../../src/lanes/cache-dirs.js';
import { FileCache, type FileRead, type Parser } from '../../src/lanes/file-cache.js';
import { tempDir } from '../helpers/tmp.js';
import { quietLaneDir } from './helpers.js';

const TEXT: Parser<string> = { name: 'text', parse: (text) => text };
const FILES = ['lane.pid', 'paused.flag', 'state.json', 'task_queue.ndjson', 'heartbeat.json'];

const value = (read: FileRead<unknown>): unknown =>
  read.state === 'present' ? read.value : read.state;

function pass(cache: FileCache, dir: string, files = FILES): unknown[] {
  cache.beginPass();
  const values = files.map((f) => value(cache.get(path.join(dir, f), TEXT)));
  cache.endPass();
  return values;
}

/** A lane directory holding `present`, everything a minute old (not hot). */
const laneDir = (present: Record<string, string>): string =>
  quietLaneDir(tempDir(), 'lane-a', present);

const listing = (...names: string[]): Listing => ({
  names,
  index: null,
  ascii: undefined,
  folded: null,
});

describe('first looks from a listing of the directory', () => {
  it('lists the directory once and stats none of its files; present files are read, absent ones are not looked at', () => {
    const dir = laneDir({ 'state.json': '{}', 'heartbeat.json': 'hb' });
    const cache = new FileCache();
    expect(pass(cache, dir)).toEqual(['absent', 'absent', '{}', 'absent', 'hb']);
    expect(cache.counters).toMatchObject({ listings: 1, stats: 1, reads: 2 });

    // The next pass looks as before: the present files stat'ed, the absent ones through the directory.
    expect(pass(cache, dir)).toEqual(['absent', 'absent', '{}', 'absent', 'hb']);
    expect(cache.counters).toMatchObject({ listings: 1, stats: 1 + 3, reads: 2 });
  });

  it('a file the listing did not have is found once the directory changes', () => {
    const dir = laneDir({ 'state.json': '{}' });
    const cache = new FileCache();
    expect(pass(cache, dir)[1]).toBe('absent');
    writeFileSync(path.join(dir, 'paused.flag'), 'manual');
    expect(pass(cache, dir)[1]).toBe('manual');
  });

  it('a file created in the same timestamp tick as the listing is found: the directory is hot', () => {
    const dir = laneDir({ 'state.json': '{}' });
    // The directory changed this second: within the hot window of the listing.
    const tick = Math.floor(Date.now() / 1000);
    utimesSync(dir, tick, tick);
    const cache = new FileCache();
    expect(pass(cache, dir)[1]).toBe('absent');
    // A file created meanwhile, with the directory's mtime put back (a coarse clock would not have
    // moved it): only the hot rule finds it.
    writeFileSync(path.join(dir, 'paused.flag'), 'manual');
    utimesSync(dir, tick, tick);
    expect(pass(cache, dir)[1]).toBe('manual');
  });

  it('a missing directory is not listed: its files are absent through its parent', () => {
    const root = tempDir();
    const cache = new FileCache();
    expect(pass(cache, path.join(root, 'lane-x'))).toEqual(FILES.map(() => 'absent'));
    // The lane directory and the directory above it, nothing else.
    expect(cache.counters).toMatchObject({ listings: 0, stats: 2, reads: 0 });
    mkdirSync(path.join(root, 'lane-x'));
    writeFileSync(path.join(root, 'lane-x', 'lane.pid'), '42');
    expect(pass(cache, path.join(root, 'lane-x'))[0]).toBe('42');
  });

  it('a name the listing has only in another case is stat-ed, not taken as absent', () => {
    const dir = laneDir({ 'Paused.flag': 'other case' });
    const cache = new FileCache();
    // Absent on a case-sensitive file system (this one), but only a look at the file can tell.
    expect(pass(cache, dir, ['paused.flag'])).toEqual(['absent']);
    expect(cache.counters).toMatchObject({ listings: 1, stats: 2 });
  });

  it('what a listing can tell, and what it cannot', () => {
    expect(lookUpListed(listing('state.json'), 'state.json')).toBe(LISTED_PRESENT);
    expect(lookUpListed(listing('state.json'), 'lane.pid')).toBe(LISTED_ABSENT);
    // Case-insensitive file systems open `State.json` as `state.json`.
    expect(lookUpListed(listing('State.json'), 'state.json')).toBe(LISTED_UNSURE);
    // Names beyond ASCII may be folded or normalised by the file system: a listing holding one
    // cannot prove any name absent, nor can it for such a name.
    expect(lookUpListed(listing('état.json'), 'lane.pid')).toBe(LISTED_UNSURE);
    expect(lookUpListed(listing('state.json'), 'état.json')).toBe(LISTED_UNSURE);
    // The same answers from a long listing (looked up through sets).
    const many = Array.from({ length: 40 }, (_, i) => `lane-${i}.json`);
    expect(lookUpListed(listing(...many, 'State.json'), 'lane-7.json')).toBe(LISTED_PRESENT);
    expect(lookUpListed(listing(...many, 'State.json'), 'lane.pid')).toBe(LISTED_ABSENT);
    expect(lookUpListed(listing(...many, 'State.json'), 'state.json')).toBe(LISTED_UNSURE);
    expect(lookUpListed(listing(...many, 'état.json'), 'lane.pid')).toBe(LISTED_UNSURE);
    // Only letters differ in case: `lane-1` and `LANE_1` are different names everywhere.
    expect(lookUpListed(listing('LANE_1'), 'lane-1')).toBe(LISTED_ABSENT);
  });
});
