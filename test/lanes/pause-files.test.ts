import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  archivePause,
  archivePauseCopy,
  readPause,
  writePause,
} from '../../src/lanes/pause-files.js';
import { tempDir } from '../helpers/tmp.js';

describe('pause flag files', () => {
  it('archives instead of deleting, with unique names', () => {
    const dir = tempDir();
    const archive = path.join(dir, 'cleared');
    const now = new Date('2026-06-01T12:00:00.123Z');
    writeFileSync(path.join(dir, 'paused.flag'), 'manual one');
    const first = archivePause(dir, 'lane-a', archive, now)!;
    writeFileSync(path.join(dir, 'paused.flag'), 'manual two');
    const second = archivePause(dir, 'lane-a', archive, now)!;
    expect(path.basename(first)).toBe('lane-a-20260601T120000123Z.flag');
    expect(second).not.toBe(first);
    expect(readFileSync(first, 'utf8')).toBe('manual one');
    expect(readFileSync(second, 'utf8')).toBe('manual two');
    expect(existsSync(path.join(dir, 'paused.flag'))).toBe(false);
    expect(archivePause(dir, 'lane-a', archive, now)).toBeNull();
  });

  it('keeps a copy of a flag about to be replaced, leaving the lane paused', () => {
    const dir = tempDir();
    const archive = path.join(dir, 'cleared');
    const now = new Date('2026-06-01T12:00:00.123Z');
    expect(archivePauseCopy(dir, 'lane-a', archive, now)).toBeNull();
    writeFileSync(path.join(dir, 'paused.flag'), 'hold for the swap');
    const first = archivePauseCopy(dir, 'lane-a', archive, now)!;
    const second = archivePauseCopy(dir, 'lane-a', archive, now)!;
    expect(path.basename(first)).toBe('lane-a-20260601T120000123Z.flag');
    expect(second).not.toBe(first);
    expect(readFileSync(first, 'utf8')).toBe('hold for the swap');
    expect(readFileSync(path.join(dir, 'paused.flag'), 'utf8')).toBe('hold for the swap');
  });

  it('writes JSON flags the rules read back as held', () => {
    const dir = tempDir();
    writePause(dir, { reason: 'manual pause by operator', by: 'ana', hold: true, now: new Date() });
    const pause = readPause(dir, new Date(Date.now() + 10 * 86400_000), 600)!;
    expect(pause.held).toBe(true);
    expect(pause.stale).toBe(false);
  });

  it('a flag that cannot be read counts as held, never as stale', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'paused.flag'));
    const pause = readPause(dir, new Date(), 0)!;
    expect(pause).toMatchObject({ held: true, stale: false });
    expect(pause.error).toMatch(/not a regular file/);
    if (process.getuid?.() !== 0) {
      const other = tempDir();
      writeFileSync(path.join(other, 'paused.flag'), 'manual');
      chmodSync(path.join(other, 'paused.flag'), 0);
      expect(readPause(other, new Date(), 0)).toMatchObject({ held: true, stale: false });
    }
    expect(readdirSync(dir)).toEqual(['paused.flag']);
  });
});
