// A full disk under the artifacts: the cycle still decides and acts; each failed write is one line.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandboxRoot, laneDir } from '../../src/sandbox/root.js';
import { laneguard } from '../helpers/cli.js';
import { sample, sandboxService } from '../helpers/service.js';
import { laneWorkers, tempDir } from '../helpers/tmp.js';
import { useModelServer } from '../helpers/model-server.js';
import { canMountTinyDisk, fullDisk } from '../helpers/tiny-disk.js';

const models = useModelServer();
const ARTIFACTS = 'artifacts/autonomy/local_models';

function fleet(guard: Record<string, unknown> = {}) {
  return {
    endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
    lanes: [{ id: 'work', urls: [models.server.baseUrl], pending: 2 }],
    guard,
  };
}

describe.skipIf(!canMountTinyDisk)('full disk', () => {
  it('once: the lane is still started; fleet status, state, report and history failures are one line each; exit 1', async () => {
    // The lock lives elsewhere, so the cycle can run at all.
    const root = buildSandboxRoot(tempDir(), fleet({ lock_file: 'run/idle_guard.lock' }));
    const disk = fullDisk(path.join(root, ARTIFACTS));
    try {
      const run = await laneguard(['--root', root, 'once']);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/started {2}work: score 200 on lm/);
      expect(laneWorkers(root, 'work')).toHaveLength(1);
      const lines = run.stderr.trim().split('\n');
      for (const file of ['fleet_status.json', 'idle_guard_state.json', 'idle_guard_report.json']) {
        expect(lines.filter((l) => l.includes(file))).toEqual([
          `laneguard: cannot write ${path.join(root, ARTIFACTS, file)}: no space left on device`,
        ]);
      }
      expect(lines).toContain(
        `laneguard: cannot write ${path.join(root, ARTIFACTS, 'idle_guard_history.ndjson')}: no space left on device`,
      );
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      disk.release();
    }
  }, 60_000);

  it('once: a lock that cannot be written is removed again, and the run fails with one line', async () => {
    const root = buildSandboxRoot(tempDir(), fleet());
    const disk = fullDisk(path.join(root, ARTIFACTS));
    const lock = path.join(root, ARTIFACTS, 'idle_guard.lock');
    try {
      const run = await laneguard(['--root', root, 'once']);
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([
        `laneguard: cannot create ${lock}: no space left on device`,
      ]);
      expect(existsSync(lock)).toBe(false);
      expect(laneWorkers(root, 'work')).toEqual([]);
    } finally {
      disk.release();
    }
  }, 60_000);

  it('lanes pause on a full lane directory: one line naming the flag and the reason, no stack trace', async () => {
    const root = buildSandboxRoot(tempDir(), fleet());
    const disk = fullDisk(laneDir(root, 'work'));
    try {
      const run = await laneguard([
        '--root',
        root,
        'lanes',
        'pause',
        'work',
        '--reason',
        'disk test',
      ]);
      expect(run.code).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^laneguard: cannot write ${laneDir(root, 'work')}/paused\\.flag: no space left on device$`,
        ),
      );
    } finally {
      disk.release();
    }
  }, 60_000);

  it('serve with the lock on the full disk: the failed cycle is counted (lock and cycle error), no empty lock is left', async () => {
    const { service, root } = sandboxService(fleet());
    const disk = fullDisk(path.join(root, ARTIFACTS));
    try {
      await expect(service.cycle({ trigger: 'schedule' })).rejects.toThrow(
        `cannot create ${path.join(root, ARTIFACTS, 'idle_guard.lock')}: no space left on device`,
      );
      const text = await service.metrics.registry.metrics();
      expect(sample(text, 'laneguard_write_errors_total', { file: 'lock' })).toBe(1);
      expect(sample(text, 'laneguard_cycles_total', { trigger: 'schedule', result: 'error' })).toBe(
        1,
      );
      expect(existsSync(path.join(root, ARTIFACTS, 'idle_guard.lock'))).toBe(false);
    } finally {
      disk.release();
    }
  }, 60_000);

  it('serve: cycles go on, each failure is counted by file and logged once per streak', async () => {
    const { service, root } = sandboxService(fleet({ lock_file: 'run/idle_guard.lock' }));
    const logged: string[] = [];
    (service as unknown as { log: (l: string) => void }).log = (l) => logged.push(l);
    const disk = fullDisk(path.join(root, ARTIFACTS));
    try {
      const first = await service.cycle({ trigger: 'schedule', forceProbe: true });
      expect(first.report.started.map((s) => s.id)).toEqual(['work']);
      await service.cycle({ trigger: 'schedule', forceProbe: true });
      const text = await service.metrics.registry.metrics();
      for (const file of ['fleet_status', 'state', 'report'])
        expect(sample(text, 'laneguard_write_errors_total', { file }), file).toBe(2);
      expect(sample(text, 'laneguard_write_errors_total', { file: 'history' })).toBeGreaterThan(0);
      expect(sample(text, 'laneguard_write_errors_total', { file: 'lock' })).toBe(0);
      expect(
        sample(text, 'laneguard_cycles_total', { trigger: 'schedule', result: 'error' }) ?? 0,
      ).toBe(0);
      for (const file of ['fleet_status.json', 'idle_guard_state.json', 'idle_guard_report.json']) {
        expect(
          logged.filter((l) => l.includes(file)),
          file,
        ).toHaveLength(1);
      }
    } finally {
      disk.release();
    }
    // Space again: the next write works and says so.
    await service.cycle({ trigger: 'schedule', forceProbe: true });
    expect(logged).toContain('writing report works again');
  }, 90_000);
});
