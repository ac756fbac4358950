import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runArgv } from '../../src/process/index.js';
import { loadConfig } from '../../src/config/load.js';
import { act } from '../../src/guard/act.js';
import { decide } from '../../src/core/guard/policy.js';
import { HistoryStore } from '../../src/history/store.js';
import { createLaneAdapter } from '../../src/lanes/factory.js';
import { writePause } from '../../src/lanes/pause-files.js';
import { buildSandboxRoot, laneDir } from '../../src/sandbox/root.js';
import { FakeClock } from '../../src/util/clock.js';
import { endpoint, state } from '../helpers/builders.js';
import { tempDir } from '../helpers/tmp.js';

const URL = 'http://127.0.0.1:1001/v1';

describe('act(): carrying out a plan', () => {
  it('does not start a lane an operator paused after the lanes were read', async () => {
    const root = tempDir();
    const marker = path.join(root, 'started-{lane}');
    buildSandboxRoot(root, {
      endpoints: [{ id: 'a', base_url: URL }],
      lanes: [{ id: 'l1', urls: [URL], pending: 2 }],
      guard: {
        lanes: {
          start_command: [
            process.execPath,
            '-e',
            'require("fs").writeFileSync(process.argv[1], "started")',
            marker,
          ],
        },
      },
    });
    const config = loadConfig({ root });
    const clock = new FakeClock();
    const adapter = createLaneAdapter(config);
    const history = new HistoryStore(
      config.paths.history,
      { maxBytes: 1 << 20, keepFiles: 1 },
      clock,
    );
    const read = await adapter.read(clock.now());
    const plan = decide({
      lanes: read.lanes,
      endpoints: [endpoint('a')],
      state: state(),
      config: config.guard,
      now: clock.now(),
      trigger: 'schedule',
    });
    expect(plan.starts.map((s) => s.id)).toEqual(['l1']);

    // Between the read and the start (probes, earlier starts: minutes at worst) the operator holds the lane.
    writePause(laneDir(root, 'l1'), {
      reason: 'manual: investigating',
      by: 'ana',
      hold: true,
      now: clock.now(),
    });

    const outcome = await act({ config, adapter, history, clock, runner: runArgv }, plan, {
      cycleId: 'c1',
      trigger: 'schedule',
      dryRun: false,
      endpoints: [endpoint('a')],
      work: new Map(read.lanes.map((l) => [l.id, l.work])),
    });
    expect(existsSync(path.join(root, 'started-l1'))).toBe(false);
    expect(outcome.started).toEqual([]);
    expect(outcome.failed).toEqual([
      { id: 'l1', source: 'start', error: expect.stringMatching(/paused before it was started/) },
    ]);
    // Not a failed start: no backoff, nothing toward the circuit breaker.
    expect(outcome.startFailed).toEqual([]);
    expect(existsSync(path.join(laneDir(root, 'l1'), 'paused.flag'))).toBe(true);
  });
});
