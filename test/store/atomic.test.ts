import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { atomicWriteJson, readJson } from '../../src/store/atomic.js';
import { tempDir } from '../helpers/tmp.js';

const writer = path.resolve('test/fixtures/atomic-writer.mjs');

describe('atomic state writes', () => {
  it('a process killed mid-write never leaves a torn file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    atomicWriteJson(file, { n: -1 });
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, [writer, file], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 20 + round * 17));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const read = readJson(file);
      if (read.status !== 'ok') throw new Error(`torn state after a kill: ${JSON.stringify(read)}`);
      expect(typeof (read.value as { n: number }).n).toBe('number');
    }
    // Leftover temp files are hidden names next to the state; the state itself is always whole.
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('n');
    expect(readdirSync(dir).filter((f) => !f.startsWith('.'))).toEqual(['state.json']);
  });

  it('reports a torn file as corrupt instead of throwing', () => {
    const dir = tempDir();
    const file = path.join(dir, 's.json');
    atomicWriteJson(file, { a: 1 });
    expect(readJson(file)).toEqual({ status: 'ok', value: { a: 1 } });
    expect(readJson(path.join(dir, 'missing.json'))).toEqual({ status: 'missing' });
  });
});
