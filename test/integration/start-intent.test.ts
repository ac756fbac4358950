// Write-ahead starts: a `once` killed while its start command runs leaves an intent; the next run
// settles it from what it finds, so history and backoff never miss a start.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pidExists } from '../../src/process/index.js';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { sandboxScript } from '../../src/sandbox/paths.js';
import { laneguard, MAIN, readEvents, readReport, waitFor } from '../helpers/cli.js';
import { laneWorkers, tempDir } from '../helpers/tmp.js';
import { useModelServer } from '../helpers/model-server.js';

const models = useModelServer();
const SLOW_START = path.resolve('test/fixtures/slow-start.mjs');

/** A root whose lane `a` has work and starts through slow-start.mjs (really starting it, or not). */
function rootWithSlowStart(realStart: boolean): { root: string; marker: string } {
  const root = tempDir();
  const marker = path.join(root, 'start-command.pid');
  const real = realStart
    ? [
        process.execPath,
        sandboxScript('fleetctl'),
        '--root',
        '{root}',
        'lane-start',
        '--lane',
        '{lane}',
      ]
    : [];
  buildSandboxRoot(root, {
    endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
    lanes: [{ id: 'a', urls: [models.server.baseUrl], pending: 2 }],
    guard: {
      lanes: {
        start_command: [process.execPath, SLOW_START, marker, '1500', ...real],
        command_timeout_sec: 30,
      },
    },
  });
  return { root, marker };
}

/** Run `once` and SIGKILL it as soon as its start command has begun. Returns the killed cycle's id. */
async function killDuringStart(root: string, marker: string): Promise<string> {
  const child = spawn(process.execPath, [MAIN, '--root', root, 'once'], { stdio: 'ignore' });
  const closed = new Promise((resolve) => child.on('close', resolve));
  await waitFor(() => existsSync(marker), 'the start command to begin', 30_000);
  child.kill('SIGKILL');
  await closed;
  const intents = readEvents(root).filter((e) => e.type === 'lane_start_requested');
  expect(intents).toEqual([
    expect.objectContaining({ lane: 'a', trigger: 'manual', cycle_id: expect.any(String) }),
  ]);
  expect(
    readEvents(root).filter((e) => e.type === 'lane_started' || e.type === 'lane_start_failed'),
  ).toEqual([]);
  return intents[0]!.cycle_id!;
}

describe('write-ahead starts', () => {
  it('a start that came up after its run was killed is recorded as started late; the lane is not started twice', async () => {
    const { root, marker } = rootWithSlowStart(true);
    const killedCycle = await killDuringStart(root, marker);
    await waitFor(
      () => laneWorkers(root, 'a').length === 1,
      'the orphaned start command to bring the lane up',
      30_000,
    );
    const run = await laneguard(['--root', root, 'once']);
    expect(run.code).toBe(0);
    const late = readEvents(root).filter((e) => e.type === 'lane_started');
    expect(late).toEqual([
      expect.objectContaining({
        lane: 'a',
        cycle_id: killedCycle,
        trigger: 'manual',
        late: true,
        pid: laneWorkers(root, 'a')[0],
      }),
    ]);
    const report = readReport(root);
    expect(report.started).toEqual([]);
    expect(report.notes).toContain(
      'a: a start interrupted in an earlier run was found running; recorded as started late',
    );
    expect(laneWorkers(root, 'a')).toHaveLength(1);
    // Settled once: a third run finds nothing left to settle.
    await laneguard(['--root', root, 'once']);
    expect(readEvents(root).filter((e) => e.type === 'lane_started')).toHaveLength(1);
  }, 120_000);

  it('a start that never came up is recorded as failed and the lane backs off', async () => {
    const { root, marker } = rootWithSlowStart(false);
    const killedCycle = await killDuringStart(root, marker);
    const startCommand = Number(readFileSync(marker, 'utf8'));
    await waitFor(() => !pidExists(startCommand), 'the orphaned start command to finish', 30_000);
    const run = await laneguard(['--root', root, 'once']);
    expect(run.code).toBe(0);
    expect(readEvents(root).filter((e) => e.type === 'lane_start_failed')).toEqual([
      expect.objectContaining({
        lane: 'a',
        cycle_id: killedCycle,
        late: true,
        error: 'interrupted before the outcome was recorded, and the lane is not running',
      }),
    ]);
    const report = readReport(root);
    expect(report.skipped).toEqual([{ id: 'a', reason: 'backoff' }]);
    expect(report.notes).toContain(
      'a: a start interrupted in an earlier run did not bring the lane up; recorded as failed',
    );
    expect(laneWorkers(root, 'a')).toEqual([]);
  }, 120_000);
});
