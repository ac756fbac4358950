// The path checks take a short cut for resolved POSIX paths: every answer must be the one the plain
// path.resolve + path.relative version gives, escapes and odd names included.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { childPath, isInside, resolveUnderRoot } from '../../src/config/paths.js';

// The plain versions, as they were before the short cut.
function plainIsInside(dir: string, candidate: string): boolean {
  const rel = path.relative(dir, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function plainChildPath(dir: string, ...parts: string[]): string {
  const resolved = path.resolve(dir, ...parts);
  if (!plainIsInside(dir, resolved) || resolved === path.resolve(dir))
    throw new Error(`refusing path outside ${dir}: ${parts.join('/')}`);
  return resolved;
}

function plainResolveUnderRoot(root: string, value: string): string {
  if (path.isAbsolute(value)) return path.normalize(value);
  const resolved = path.resolve(root, value);
  if (!plainIsInside(root, resolved)) throw new Error('escapes');
  return resolved;
}

const outcome = (f: () => string): string => {
  try {
    return f();
  } catch (err) {
    return `threw ${(err as Error).message}`;
  }
};

const DIRS = ['/', '/srv/fleet', '/srv/fleet/', '/srv//fleet/./x/..', 'rel/dir', '.', '/a'];
const PARTS = [
  'lane-1',
  'a..b',
  '...',
  '..foo',
  '..',
  '.',
  '',
  'a/b',
  'a/../..',
  '/abs',
  '/srv/fleet/x',
  '../fleet/x',
  '../fleet2',
  'x/',
  './x',
];

describe('path checks', () => {
  it('isInside answers as path.relative does', () => {
    for (const dir of DIRS)
      for (const part of PARTS)
        for (const candidate of [part, path.join(dir, part), `${dir}${part}`])
          expect(isInside(dir, candidate), `${dir} ${candidate}`).toBe(
            plainIsInside(dir, candidate),
          );
  });

  it('childPath gives the same path, or refuses the same names', () => {
    for (const dir of DIRS) {
      for (const part of PARTS) {
        const expected = outcome(() => plainChildPath(dir, part));
        expect(
          outcome(() => childPath(dir, part)),
          `${dir} + ${part}`,
        ).toBe(expected);
        for (const second of ['x', '..', 'lane.pid'])
          expect(outcome(() => childPath(dir, part, second))).toBe(
            outcome(() => plainChildPath(dir, part, second)),
          );
      }
    }
  });

  it('resolveUnderRoot gives the same path, or refuses the same values', () => {
    for (const root of DIRS.filter((d) => path.isAbsolute(d)))
      for (const value of PARTS.filter((p) => p !== ''))
        expect(
          outcome(() => resolveUnderRoot(root, value, 'config/lanes.json', 'k')).replace(
            /^threw .*/,
            'threw',
          ),
          `${root} + ${value}`,
        ).toBe(outcome(() => plainResolveUnderRoot(root, value)).replace(/^threw .*/, 'threw'));
  });
});
