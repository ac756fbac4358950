// A scrape is memory only: the files other laneguard processes write (heartbeat, watchdog) are read
// on serve's timer into the metrics' sources, and everything else comes from results already held.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { emptyMemory } from '../../src/core/watchdog/types.js';
import { createApp } from '../../src/http/app.js';
import { FakeClock } from '../../src/util/clock.js';
import { parseExposition } from '../helpers/exposition.js';
import { useModelServer } from '../helpers/model-server.js';
import { sample, sandboxService } from '../helpers/service.js';

const models = useModelServer();
const OUT = 'artifacts/autonomy/local_models';

function writeSideFiles(root: string): { heartbeat: string; watchdog: string } {
  const dir = path.join(root, OUT);
  mkdirSync(dir, { recursive: true });
  const heartbeat = path.join(dir, 'heartbeat_state.json');
  writeFileSync(
    heartbeat,
    JSON.stringify({
      version: 1,
      updated_at: '2026-06-01T11:59:00.000Z',
      endpoints: {
        lm: {
          endpoint: 'lm',
          ok: true,
          last_success_at: '2026-06-01T11:59:00.000Z',
          tokens_total: 5,
        },
      },
    }),
  );
  const watchdog = path.join(dir, 'process_watchdog_state.json');
  writeFileSync(
    watchdog,
    JSON.stringify({
      version: 1,
      updated_at: '2026-06-01T11:59:00.000Z',
      checked_by_pid: 1,
      processes: {
        serve: {
          ...emptyMemory(),
          status: 'healthy',
          pid: 1,
          restarts_success: 2,
          restarts_failure: 1,
          checked_at: '2026-06-01T11:59:00.000Z',
        },
      },
    }),
  );
  return { heartbeat, watchdog };
}

/** Every laneguard sample of a scrape, in order (the clock is fake: nothing moves between two). */
const laneguardSamples = (text: string): string[] =>
  parseExposition(text).samples.filter((line) => line.startsWith('laneguard_'));

describe('a scrape reads no file', () => {
  it('side files deleted between two timer reads: the scrape shows what was read last; the next read shows them gone', async () => {
    const clock = new FakeClock('2026-06-01T12:00:00.000Z');
    const url = models.server.baseUrl;
    const { service, root } = sandboxService(
      {
        endpoints: [{ id: 'lm', base_url: url }],
        lanes: [{ id: 'l1', urls: [url], pending: 2 }],
        guard: { dry_run: true },
      },
      { clock },
    );
    await service.probe();
    await service.scan(true);
    await service.cycle({ trigger: 'manual' });
    const files = writeSideFiles(root);
    service.refreshSideStates();
    const app = createApp(service);
    const scrape = async (): Promise<string> => (await request(app).get('/metrics')).text;

    const first = await scrape();
    expect(sample(first, 'laneguard_heartbeat_success', { endpoint: 'lm' })).toBe(1);
    expect(sample(first, 'laneguard_probe_tokens_total', { endpoint: 'lm' })).toBe(5);
    expect(sample(first, 'laneguard_watchdog_process_up', { process: 'serve' })).toBe(1);
    expect(
      sample(first, 'laneguard_watchdog_restarts_total', { process: 'serve', result: 'success' }),
    ).toBe(2);
    expect(sample(first, 'laneguard_endpoint_up', { endpoint: 'lm' })).toBe(1);

    rmSync(files.heartbeat);
    rmSync(files.watchdog);
    expect(laneguardSamples(await scrape())).toEqual(laneguardSamples(first));
    // Not even the config, fleet_status.json or the lane files: the whole root is gone.
    rmSync(root, { recursive: true, force: true });
    expect(laneguardSamples(await scrape())).toEqual(laneguardSamples(first));

    // The timer's next read is the one place that notices.
    service.refreshSideStates();
    const next = await scrape();
    expect(sample(next, 'laneguard_heartbeat_success', { endpoint: 'lm' })).toBeUndefined();
    expect(sample(next, 'laneguard_probe_tokens_total', { endpoint: 'lm' })).toBeUndefined();
    expect(sample(next, 'laneguard_watchdog_process_up', { process: 'serve' })).toBeUndefined();
    expect(sample(next, 'laneguard_endpoint_up', { endpoint: 'lm' })).toBe(1);
  });
});
