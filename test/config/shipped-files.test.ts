import { cpSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createLaneAdapter } from '../../src/lanes/factory.js';
import { loadWatchdogConfig } from '../../src/config/watchdog.js';
import { tempDir } from '../helpers/tmp.js';

/** A root holding byte-for-byte copies of the replaced system's four shipped config files. */
function shippedRoot(): string {
  const root = tempDir();
  cpSync(path.resolve('test/fixtures/orxaq-fleet/config'), path.join(root, 'config'), {
    recursive: true,
  });
  return root;
}

describe("the replaced system's shipped config files, unchanged", () => {
  it('load: top-level version everywhere, revive_/backlog_recycle_ keys reported as not performed', () => {
    const config = loadConfig({ root: shippedRoot(), env: {} });
    expect(config.endpoints.map((e) => [e.id, e.max_parallel])).toEqual([
      ['local-main', 5],
      ['lan-86', 4],
      ['lan-91', 4],
      ['lan-238', 4],
    ]);
    expect(config.guard.version).toBe(1);
    expect([...config.notPerformed].sort()).toEqual([
      'backlog_recycle_delay_sec',
      'backlog_recycle_max_per_lane',
      'backlog_recycle_on_idle',
      'revive_after_idle_cycles',
      'revive_stalled_state_on_idle',
    ]);
  });

  it('every lane is read, with all the lane keys laneguard does not use', async () => {
    const config = loadConfig({ root: shippedRoot(), env: {} });
    const read = await createLaneAdapter(config).read(new Date());
    expect(read.errors).toEqual([]);
    expect(read.lanes.map((l) => [l.id, l.enabled, l.localOnly])).toEqual([
      ['codex-governance', true, true],
      ['codex-routellm-npv', true, true],
      ['codex-dashboard-todo-metrics-fix', true, true],
      ['codex-dashboard-ui-accessibility', true, true],
      ['codex-dashboard-api-resilience', true, true],
      ['gemini-test-backlog', false, false],
    ]);
  });

  it('the watchdog config loads with its three processes', () => {
    const config = loadWatchdogConfig(shippedRoot());
    expect(config.processes.map((p) => p.id)).toEqual([
      'local-idle-guard',
      'remote-heartbeat',
      'autonomy-supervisor',
    ]);
  });
});
