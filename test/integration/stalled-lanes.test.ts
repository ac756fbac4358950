// Stalled lanes on real fleet roots: lane workers that hang (alive, no heartbeat, no work) as real
// processes, found by `laneguard once` and restarted through the sandbox fleet's own commands.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { descendants, pidAlive, processArgv, runArgv } from '../../src/process/index.js';
import { loadConfig } from '../../src/config/load.js';
import { runCycle } from '../../src/guard/cycle.js';
import type { LaneAdapter } from '../../src/lanes/adapter.js';
import { sandboxScript } from '../../src/sandbox/paths.js';
import { buildSandboxRoot, laneDir, type SandboxLane } from '../../src/sandbox/root.js';
import { atomicWriteJson } from '../../src/store/atomic.js';
import { guardDeps } from '../../src/cli/context.js';
import { laneguard, readEvents, readReport, waitFor } from '../helpers/cli.js';
import { useModelServer } from '../helpers/model-server.js';
import { laneWorkers, tempDir } from '../helpers/tmp.js';
import { alert, payload } from '../receiver/helpers.js';

const models = useModelServer();
const STALLED_AFTER = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fleet(lanes: SandboxLane[], guard: Record<string, unknown> = {}): string {
  return buildSandboxRoot(tempDir('laneguard-stall-'), {
    endpoints: [{ id: 'lm', base_url: models.server.baseUrl, max_parallel: 4 }],
    lanes,
    // A long backoff: a second stall must visibly wait, not be restarted again at the next cycle.
    guard: { stalled_after_sec: STALLED_AFTER, backoff: { initial_sec: 120 }, ...guard },
  });
}

/** A lane that hangs 300 ms after it starts (before its first task). */
const hanging = (id: string, sandbox: SandboxLane['sandbox'] = {}): SandboxLane => ({
  id,
  urls: [models.server.baseUrl],
  pending: 3,
  continuous: true,
  sandbox: { hang_after_ms: 300, task_ms: 60_000, ...sandbox },
});

/** Started by the fleet itself (as its supervisor would), not by laneguard. */
async function startLane(root: string, id: string): Promise<number> {
  const r = await runArgv(
    [process.execPath, sandboxScript('fleetctl'), '--root', root, 'lane-start', '--lane', id],
    { timeoutMs: 20_000 },
  );
  expect(r.ok, r.output).toBe(true);
  return waitFor(() => laneWorkers(root, id)[0], `${id} worker`);
}

const pidFile = (root: string, id: string): number =>
  Number(readFileSync(path.join(laneDir(root, id), 'lane.pid'), 'utf8'));

async function once(root: string, ...args: string[]) {
  const run = await laneguard(['--root', root, 'once', ...args]);
  expect(run.stderr).toBe('');
  return { run, report: readReport(root) };
}

/** First look (the guard learns the work counts), then a look once the threshold has passed. */
async function untilStalled(root: string, ...args: string[]) {
  await once(root);
  await sleep(STALLED_AFTER * 1000 + 700);
  return once(root, ...args);
}

describe('stalled lanes, real processes', () => {
  it('a worker that stops heartbeating while alive is found stalled, restarted once as a new process, and a second stall backs off', async () => {
    const root = fleet([hanging('hangs')]);
    const oldPid = await startLane(root, 'hangs');

    const first = await once(root);
    expect(first.report.stalled).toEqual([]);
    await sleep(STALLED_AFTER * 1000 + 700);
    const { run, report } = await once(root);
    expect(run.code).toBe(0);
    expect(report.stalled).toEqual([
      expect.objectContaining({ id: 'hangs', pid: oldPid, action: 'restart' }),
    ]);
    expect(report.stalled[0]!.heartbeat_age_sec).toBeGreaterThanOrEqual(STALLED_AFTER);
    expect(run.stdout).toMatch(/stalled {2}hangs: pid \d+, no heartbeat for \d+s/);
    const newPid = pidFile(root, 'hangs');
    expect(newPid).not.toBe(oldPid);
    expect(pidAlive(oldPid)).toBe(false);
    expect(laneWorkers(root, 'hangs')).toEqual([newPid]);
    expect(report.restarted).toEqual([
      expect.objectContaining({
        id: 'hangs',
        old_pid: oldPid,
        pid: newPid,
        stopped_by: 'stop_command',
      }),
    ]);
    const events = readEvents(root);
    expect(events.filter((e) => e.type === 'lane_stalled')).toEqual([
      expect.objectContaining({
        lane: 'hangs',
        heartbeat_age_sec: expect.any(Number),
        pid: oldPid,
      }),
    ]);
    expect(events.filter((e) => e.type === 'lane_restarted')).toEqual([
      expect.objectContaining({
        lane: 'hangs',
        trigger: 'manual',
        old_pid: oldPid,
        pid: newPid,
        cycle_id: report.cycle_id,
      }),
    ]);

    // The new worker hangs as well: stalled again soon after its restart, it backs off.
    await sleep(STALLED_AFTER * 1000 + 700);
    const again = await once(root);
    expect(again.report.stalled).toEqual([
      expect.objectContaining({ id: 'hangs', pid: newPid, action: 'backoff' }),
    ]);
    expect(again.report.restarted).toEqual([]);
    expect(laneWorkers(root, 'hangs')).toEqual([newPid]);
    const later = readEvents(root);
    expect(later.filter((e) => e.type === 'lane_restarted')).toHaveLength(1);
    expect(later.filter((e) => e.type === 'lane_stalled').at(-1)).toMatchObject({
      lane: 'hangs',
      pid: newPid,
      repeat: true,
    });
    const state = JSON.parse(
      readFileSync(
        path.join(root, 'artifacts/autonomy/local_models/idle_guard_state.json'),
        'utf8',
      ),
    ) as { lanes: Record<string, { backoff_until: string }> };
    expect(Date.parse(state.lanes.hangs!.backoff_until)).toBeGreaterThan(Date.now() + 60_000);
  });

  it('a worker that ignores the stop command is killed with its children, then started again', async () => {
    const root = fleet([hanging('stubborn', { ignore_term: true, child: true })], {
      lanes: { stop_timeout_sec: 1 },
    });
    const oldPid = await startLane(root, 'stubborn');
    const children = await waitFor(() => {
      const d = descendants(oldPid).map((c) => c.pid);
      return d.length > 0 ? d : null;
    }, "the worker's child process");
    expect(processArgv(children[0]!)).toContain('lane-child');

    const { run, report } = await untilStalled(root);
    expect(run.code).toBe(0);
    expect(report.restarted).toEqual([
      expect.objectContaining({ id: 'stubborn', old_pid: oldPid, stopped_by: 'terminated' }),
    ]);
    expect(pidAlive(oldPid)).toBe(false);
    for (const child of children) expect(pidAlive(child)).toBe(false);
    const newPid = pidFile(root, 'stubborn');
    expect(laneWorkers(root, 'stubborn')).toEqual([newPid]);
    expect(readEvents(root).find((e) => e.type === 'lane_restarted')).toMatchObject({
      lane: 'stubborn',
      old_pid: oldPid,
      pid: newPid,
      stopped_by: 'terminated',
      stop_timed_out: true,
    });
  });

  it('a held or paused stalled lane is reported but never restarted; restart_stalled off reports only', async () => {
    const root = fleet([hanging('held'), hanging('paused')]);
    const pids = { held: await startLane(root, 'held'), paused: await startLane(root, 'paused') };
    writeFileSync(
      path.join(laneDir(root, 'held'), 'paused.flag'),
      JSON.stringify({ reason: 'manual: investigating', hold: true }),
    );
    writeFileSync(path.join(laneDir(root, 'paused'), 'paused.flag'), 'manual pause');

    const { report } = await untilStalled(root);
    expect(Object.fromEntries(report.stalled.map((s) => [s.id, s.action]))).toEqual({
      held: 'pause_held',
      paused: 'manual_pause_active',
    });
    expect(report.restarted).toEqual([]);
    expect(laneWorkers(root, 'held')).toEqual([pids.held]);
    expect(laneWorkers(root, 'paused')).toEqual([pids.paused]);
    expect(
      readEvents(root)
        .filter((e) => e.type === 'lane_stalled')
        .map((e) => e.lane)
        .sort(),
    ).toEqual(['held', 'paused']);
    expect(readEvents(root).filter((e) => e.type === 'lane_restarted')).toEqual([]);

    // Unpaused, with restart_stalled off: still only reported (a LaneguardLaneStalled alert would restart it).
    const off = fleet([hanging('quiet')], { restart_stalled: false });
    const quietPid = await startLane(off, 'quiet');
    const dry = await untilStalled(off, '--dry-run');
    expect(dry.report.stalled).toEqual([
      expect.objectContaining({ id: 'quiet', action: 'restart_not_enabled' }),
    ]);
    expect(dry.run.stdout).toContain('not restarted (restart_not_enabled)');
    expect(laneWorkers(off, 'quiet')).toEqual([quietPid]);
  });

  it('once --dry-run shows the restart it would do and does nothing', async () => {
    const root = fleet([hanging('hangs')]);
    const pid = await startLane(root, 'hangs');
    const { run, report } = await untilStalled(root, '--dry-run');
    expect(report.restarted).toEqual([
      expect.objectContaining({ id: 'hangs', old_pid: pid, dry_run: true }),
    ]);
    expect(run.stdout).toContain(`restarted hangs: pid ${pid} -> (dry run: not done)`);
    expect(laneWorkers(root, 'hangs')).toEqual([pid]);
    expect(readEvents(root).filter((e) => e.type === 'lane_restarted')).toEqual([]);
  });

  it('replay --dry-run of a LaneguardLaneStalled payload shows the restart the alert would cause, and does nothing', async () => {
    const root = fleet([hanging('hangs'), hanging('other')], {
      mode: 'alert',
      restart_stalled: false,
    });
    const pids = { hangs: await startLane(root, 'hangs'), other: await startLane(root, 'other') };
    await untilStalled(root);
    const file = path.join(root, 'payload.json');
    writeFileSync(
      file,
      JSON.stringify(
        payload([
          alert({
            fingerprint: 'st1',
            labels: {
              alertname: 'LaneguardLaneStalled',
              laneguard_action: 'restart_lane',
              lane: 'hangs',
            },
          }),
        ]),
      ),
    );
    const run = await laneguard(['--root', root, 'replay', file, '--dry-run']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('limited to lane hangs');
    expect(run.stdout).toContain(
      'that cycle may restart stalled lane hangs (restart_lane), if still stalled',
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `would restart hangs: stalled \\d+s, no heartbeat for \\d+s \\(pid ${pids.hangs}\\)`,
      ),
    );
    expect(run.stdout).toContain('skip other (stalled, not restarted): not_targeted');
    const json = JSON.parse(
      (await laneguard(['--root', root, 'replay', file, '--dry-run', '--json'])).stdout,
    ) as { cycle: unknown; dry_run: { cycle: { restarts: unknown[] } } };
    expect(json.cycle).toEqual({ trigger: 'alert', onlyLanes: ['hangs'], restartLanes: ['hangs'] });
    expect(json.dry_run.cycle.restarts).toEqual([
      expect.objectContaining({ id: 'hangs', pid: pids.hangs }),
    ]);
    expect(laneWorkers(root, 'hangs')).toEqual([pids.hangs]);
    expect(readEvents(root).filter((e) => e.type === 'lane_restarted')).toEqual([]);
    // The lane table says it too, judged by the guard's memory of the lane's progress.
    const lanes = await laneguard(['--root', root, 'lanes']);
    expect(lanes.stdout).toMatch(/^hangs\s+yes\s+STALLED \d+s\s+\d+/m);
    const listed = JSON.parse((await laneguard(['--root', root, 'lanes', '--json'])).stdout) as {
      lanes: Array<{ id: string; stalled: boolean; stalled_sec: number | null }>;
    };
    expect(listed.lanes.find((l) => l.id === 'hangs')).toMatchObject({
      stalled: true,
      stalled_sec: expect.any(Number),
    });
  });

  it('a lane that heartbeats again between the decision and the restart is left alone', async () => {
    const root = fleet([hanging('wakes')]);
    const pid = await startLane(root, 'wakes');
    const config = loadConfig({ root });
    await runCycle(guardDeps(config), { trigger: 'schedule' });
    await sleep(STALLED_AFTER * 1000 + 700);

    // The lane's adapter, real; right after the cycle's read the lane writes a heartbeat, as a lane
    // that got its answer at last would.
    const deps = guardDeps(config);
    const inner = deps.adapter;
    let reads = 0;
    const adapter: LaneAdapter = {
      source: inner.source,
      laneDir: (id) => inner.laneDir(id),
      read: async (now) => {
        const read = await inner.read(now);
        if (++reads === 1)
          atomicWriteJson(path.join(laneDir(root, 'wakes'), 'heartbeat.json'), {
            timestamp: new Date().toISOString(),
            pid,
          });
        return read;
      },
    };
    const result = await runCycle({ ...deps, adapter }, { trigger: 'schedule' });
    expect(result.plan.restarts.map((d) => d.id)).toEqual(['wakes']);
    expect(result.report.restarted).toEqual([]);
    expect(result.report.ok).toBe(true);
    expect(result.report.notes).toContain('restart of wakes not done: lane heartbeats again');
    expect(laneWorkers(root, 'wakes')).toEqual([pid]);
    const events = readEvents(root);
    expect(events.find((e) => e.type === 'lane_restart_skipped')).toMatchObject({
      lane: 'wakes',
      reason: 'lane heartbeats again',
    });
    expect(events.filter((e) => e.type === 'lane_restarted')).toEqual([]);
  });
});
