// serve and the watchdog supervise each other: a real serve brings a SIGKILLed watchdog back.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { pidAlive, processArgv } from '../../src/process/index.js';
import { readEvents, waitFor } from '../helpers/cli.js';
import { startServe } from '../helpers/serve-process.js';
import { sample } from '../helpers/service.js';
import { tempDir } from '../helpers/tmp.js';
import { foreverEntry, readPid, writeWatchdogConfig } from '../watchdog/helpers.js';
import { useModelServer } from '../helpers/model-server.js';

const models = useModelServer();

const isWatchdogRun = (pid: number | null): boolean =>
  pid !== null && pidAlive(pid) && (processArgv(pid) ?? []).join(' ').includes('watchdog run');

describe('mutual supervision', () => {
  it('serve starts the watchdog, brings it back after SIGKILL, and exports its state', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [],
      guard: { interval_sec: 1 },
    });
    const config = writeWatchdogConfig(root, {
      interval_sec: 0.5,
      processes: [foreverEntry('p1')],
    });
    const serve = await startServe(root);
    try {
      const first = await waitFor(
        () => (isWatchdogRun(readPid(config.pidFile)) ? readPid(config.pidFile) : null),
        'serve to start the watchdog',
        30_000,
      );
      let text = '';
      await waitFor(
        () => {
          void fetch(`${serve.url}/metrics`).then(async (r) => (text = await r.text()));
          return sample(text, 'laneguard_watchdog_process_up', { process: 'p1' }) === 1;
        },
        'the watchdog state in the metrics',
        30_000,
      );
      expect(sample(text, 'laneguard_watchdog_gave_up', { process: 'p1' })).toBe(0);
      expect(sample(text, 'laneguard_watchdog_state_age_seconds')).toBeLessThan(60);

      process.kill(first, 'SIGKILL');
      const second = await waitFor(
        () => {
          const pid = readPid(config.pidFile);
          return pid !== first && isWatchdogRun(pid) ? pid : null;
        },
        'serve to bring the watchdog back',
        30_000,
      );
      expect(second).not.toBe(first);
      const restarts = await waitFor(() => {
        const events = readEvents(root).filter(
          (e) => e.type === 'process_restarted' && e.process === 'watchdog',
        );
        return events.length >= 2 ? events : null;
      }, 'serve to record the restart');
      expect(restarts.map((e) => e.pid)).toEqual([first, second]);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exit;
      const pid = readPid(path.join(root, 'artifacts/autonomy/local_models/process_watchdog.pid'));
      if (isWatchdogRun(pid)) process.kill(pid!, 'SIGKILL');
    }
  });
});
