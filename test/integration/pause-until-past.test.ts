import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandboxRoot, laneDir } from '../../src/sandbox/root.js';
import { laneguard, readEvents } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

describe('lanes pause --until in the past', () => {
  it('is a usage error (exit 2, one line) and writes no flag and no event', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: 'http://127.0.0.1:9/v1' }],
      lanes: [{ id: 'a', pending: 1 }],
    });
    const run = await laneguard([
      '--root',
      root,
      'lanes',
      'pause',
      'a',
      '--until',
      '2020-01-01T00:00:00Z',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      'laneguard: --until: 2020-01-01T00:00:00Z is in the past; give a future time, or --hold for a hold without an end',
    ]);
    expect(existsSync(path.join(laneDir(root, 'a'), 'paused.flag'))).toBe(false);
    expect(readEvents(root).filter((e) => e.type === 'lane_paused')).toEqual([]);
  }, 60_000);
});
