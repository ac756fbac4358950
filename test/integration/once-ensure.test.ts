// A failed ensure is a failed action: `once` exits 1 and the report says so (§11).
import { describe, expect, it } from 'vitest';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { laneguard, readEvents, readReport } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { useModelServer } from '../helpers/model-server.js';

const models = useModelServer();

function rootWithEnsure(ensure: string[], timeoutSec = 10): string {
  return buildSandboxRoot(tempDir(), {
    endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
    // Nothing to start: the ensure runs because it never ran (interval due).
    lanes: [{ id: 'idle', urls: [models.server.baseUrl], pending: 0 }],
    guard: { lanes: { ensure_command: ensure, command_timeout_sec: timeoutSec } },
  });
}

describe('laneguard once: ensure_command failures', () => {
  it('exits 1 with ok:false and an ensure entry under failed when ensure_command exits non-zero', async () => {
    const root = rootWithEnsure([process.execPath, '-e', 'process.exit(3)']);
    const run = await laneguard(['--root', root, 'once', '--json']);
    expect(run.code).toBe(1);
    const report = readReport(root);
    expect(report).toMatchObject({
      ok: false,
      failed_count: 1,
      ensure: { ran: true, ok: false, exit_code: 3 },
    });
    expect(report.failed).toEqual([
      { id: '*', source: 'ensure', error: 'ensure_command exited 3' },
    ]);
    expect(readEvents(root).find((e) => e.type === 'cycle')).toMatchObject({
      ok: false,
      failed_count: 1,
    });
  }, 60_000);

  it('exits 1 when ensure_command times out', async () => {
    const root = rootWithEnsure([process.execPath, '-e', 'setTimeout(() => {}, 60000)'], 1);
    const run = await laneguard(['--root', root, 'once']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAILED   *: ensure: timed out after 1000 ms');
    expect(readReport(root)).toMatchObject({
      ok: false,
      ensure: { ran: true, ok: false, exit_code: null },
    });
  }, 60_000);

  it('exits 0 when ensure_command succeeds', async () => {
    const root = rootWithEnsure([process.execPath, '-e', 'process.exit(0)']);
    const run = await laneguard(['--root', root, 'once']);
    expect(run.code).toBe(0);
    expect(readReport(root)).toMatchObject({
      ok: true,
      failed: [],
      ensure: { ran: true, ok: true },
    });
  }, 60_000);
});
