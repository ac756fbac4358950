// Done when: laneguard runs on the replaced system's own shipped config, supervises itself through
// that config's old-guard entry, and never starts the old guard or heartbeat.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { processArgv, trySignal } from '../../src/process/index.js';
import { laneguard } from '../helpers/cli.js';
import { useModelServer } from '../helpers/model-server.js';
import { shippedRoot } from '../helpers/shipped-root.js';
import { processesMentioning } from '../helpers/tmp.js';
import { freePort } from '../e2e/harness/ports.js';

const models = useModelServer();

async function until(fn: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface Status {
  running: boolean;
  pid: number | null;
  watchdog: { running: boolean; pid: number | null };
}

describe('drop-in on the shipped config of the replaced system', () => {
  it('config check passes, start supervises serve through the old-guard entry, a SIGKILLed serve comes back as laneguard, stop leaves nothing', async () => {
    const fleet = shippedRoot([models.server.baseUrl], { listen: `127.0.0.1:${await freePort()}` });
    const lg = (...args: string[]) =>
      laneguard(['--root', fleet.root, ...args], { env: fleet.env });
    const status = async (): Promise<Status> =>
      JSON.parse((await lg('status', '--json')).stdout) as Status;
    try {
      const check = await lg('config', 'check');
      expect(check.stderr).toBe('');
      expect(check.code).toBe(0);

      const start = await lg('start');
      expect(start.code).toBe(0);
      const first = await status();
      expect(first.running).toBe(true);
      // serve starts its watchdog, which reads the shipped watchdog config.
      await until(
        async () => (await status()).watchdog.running,
        'serve to start the watchdog',
        30_000,
      );

      // Longer than the entries' restart cooldown (15 s), so a restart would have been allowed.
      await new Promise((r) => setTimeout(r, 16_000));
      expect(
        fleet
          .makeCalls()
          .filter((c) => c.includes('local-idle-guard') || c.includes('remote-heartbeat')),
      ).toEqual([]);

      trySignal(first.pid!, 'SIGKILL');
      let back: Status | null = null;
      await until(
        async () => {
          const now = await status();
          if (now.running && now.pid !== first.pid) back = now;
          return back !== null;
        },
        'the watchdog to bring serve back',
        120_000,
      );
      const argv = processArgv(back!.pid!)!;
      expect(argv.slice(-1)).toEqual(['serve']);
      expect(argv).toContain(fleet.root);

      // The old guard and heartbeat were never started; the fleet's own supervisor runs as configured.
      const calls = fleet.makeCalls();
      expect(
        calls.filter(
          (c) => c.includes('local-idle-guard-start') || c.includes('remote-heartbeat-start'),
        ),
      ).toEqual([]);
      expect(calls).toContain('start');
      // The watchdog records the restart once its startup grace is over.
      const history = path.join(
        fleet.root,
        'artifacts/autonomy/local_models/process_watchdog_history.ndjson',
      );
      await until(
        async () =>
          /"type":"process_restarted","process":"local-idle-guard"/.test(
            readFileSync(history, 'utf8'),
          ),
        'the restart to be recorded',
        60_000,
      );

      const stop = await lg('stop');
      expect(stop.code).toBe(0);
      expect(stop.stdout).toMatch(/watchdog stopped \(pid \d+\)/);
      const after = await status();
      expect([after.running, after.watchdog.running]).toEqual([false, false]);
      const left = processesMentioning(fleet.root).filter((pid) =>
        processArgv(pid)?.some((a) => a.endsWith('main.js')),
      );
      expect(left).toEqual([]);
    } finally {
      for (const pid of processesMentioning(fleet.root)) trySignal(pid, 'SIGKILL');
    }
  }, 240_000);
});
