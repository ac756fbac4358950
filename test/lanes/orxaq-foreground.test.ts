// A lane read made to answer a request (the webhook listing the lanes for a recover_lane alert)
// never waits for requests in flight, its own among them; a cycle's read does, at each yield.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OrxaqAdapter } from '../../src/lanes/orxaq.js';
import { foreground } from '../../src/util/slice.js';
import { tempDir } from '../helpers/tmp.js';

/** A fleet large enough that a cold read takes several 4 ms slices. */
function adapter(lanes: number): OrxaqAdapter {
  const root = tempDir();
  const runtimeDir = path.join(root, 'artifacts/autonomy/lanes');
  mkdirSync(path.join(root, 'config/tasks'), { recursive: true });
  const specs = Array.from({ length: lanes }, (_, i) => ({
    id: `l${i}`,
    tasks_file: `config/tasks/l${i}.json`,
    env: { ORXAQ_LOCAL_OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' },
  }));
  writeFileSync(path.join(root, 'config/lanes.json'), JSON.stringify({ version: 1, lanes: specs }));
  for (let i = 0; i < lanes; i++) {
    writeFileSync(path.join(root, `config/tasks/l${i}.json`), JSON.stringify([{ id: 't1' }]));
    mkdirSync(path.join(runtimeDir, `l${i}`), { recursive: true });
    writeFileSync(path.join(runtimeDir, `l${i}`, 'state.json'), '{}');
  }
  return new OrxaqAdapter({
    root,
    lanesFile: path.join(root, 'config/lanes.json'),
    runtimeDir,
    staleManualPauseSec: 600,
  });
}

afterEach(() => vi.useRealTimers());

describe('a lane read that answers a request', () => {
  it('goes on while a request is being answered; a background read waits for it', async () => {
    const lanes = 1000;
    const request = adapter(lanes);
    const cycle = adapter(lanes);
    // The longest a background yield waits is a timer: frozen, it waits until the request ends.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const leave = foreground.enter();
    let cycleDone = false;
    try {
      const background = cycle.read(new Date()).then((r) => {
        cycleDone = true;
        return r;
      });
      const answered = await request.read(new Date(), { foreground: true });
      expect(answered.lanes).toHaveLength(lanes);
      expect(answered.errors).toEqual([]);
      // Still held at a yield (reading 1,000 lanes takes more than one 4 ms slice).
      await new Promise((r) => setImmediate(r));
      expect(cycleDone).toBe(false);
      leave();
      expect((await background).lanes).toHaveLength(lanes);
    } finally {
      leave();
    }
  });
});
