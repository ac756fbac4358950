import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { atomicWriteJsonAsync } from '../../src/store/atomic.js';
import { FileError } from '../../src/store/file-error.js';
import { tempDir } from '../helpers/tmp.js';

describe('atomic writes off the event loop', () => {
  it('replaces the file whole, creates its directory, and leaves no temp file', async () => {
    const dir = path.join(tempDir(), 'nested', 'out');
    const file = path.join(dir, 'report.json');
    await atomicWriteJsonAsync(file, { lanes: 1 });
    await atomicWriteJsonAsync(file, { lanes: 2 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ lanes: 2 });
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('a write that cannot happen is a FileError naming the file, and changes nothing', async () => {
    const root = tempDir();
    // A regular file where the directory should be: no write can succeed, whoever runs the test.
    writeFileSync(path.join(root, 'blocker'), 'not a directory');
    const file = path.join(root, 'blocker', 'report.json');
    await expect(atomicWriteJsonAsync(file, { a: 1 })).rejects.toThrow(FileError);
    await expect(atomicWriteJsonAsync(file, { a: 1 })).rejects.toThrow(`cannot write ${file}`);
    expect(readFileSync(path.join(root, 'blocker'), 'utf8')).toBe('not a directory');
  });
});
