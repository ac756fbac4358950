// `laneguard once` on real fleet roots: real loopback model servers, real lane worker processes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandboxRoot, laneDir } from '../../src/sandbox/root.js';
import { atomicWriteJson } from '../../src/store/atomic.js';
import { laneguard, readEvents, readReport, waitFor } from '../helpers/cli.js';
import { laneWorkers, tempDir } from '../helpers/tmp.js';
import { useModelServer } from '../helpers/model-server.js';

const models = useModelServer();

const endpoints = () => [
  { id: 'lm', base_url: models.server.baseUrl, max_parallel: 4 },
  { id: 'dead', base_url: models.dead },
];
const flag = (root: string, id: string): string => path.join(laneDir(root, id), 'paused.flag');

describe('laneguard once: recovery', () => {
  it('clears a stale manual pause (archived, recorded) and starts the lane; fresh and held pauses stay', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: endpoints(),
      lanes: [
        {
          id: 'stale',
          urls: [models.server.baseUrl],
          pending: 2,
          pause: { text: 'manual pause for debugging', ageSec: 3600 },
        },
        {
          id: 'fresh',
          urls: [models.server.baseUrl],
          pending: 2,
          pause: { text: 'manual', ageSec: 60 },
        },
        {
          id: 'held',
          urls: [models.server.baseUrl],
          pending: 2,
          pause: { text: JSON.stringify({ reason: 'manual', hold: true }), ageSec: 86400 },
        },
        {
          id: 'held-word',
          urls: [models.server.baseUrl],
          pending: 2,
          pause: { text: 'manual HOLD until the model is swapped', ageSec: 86400 },
        },
      ],
    });
    const run = await laneguard(['--root', root, 'once']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = readReport(root);
    expect(report.started.map((s) => s.id)).toEqual(['stale']);
    expect(report.unpaused).toEqual([
      expect.objectContaining({
        id: 'stale',
        reason: 'stale_manual_pause',
        pause_message: 'manual pause for debugging',
      }),
    ]);
    expect(Object.fromEntries(report.skipped.map((s) => [s.id, s.reason]))).toEqual({
      fresh: 'manual_pause_active',
      held: 'pause_held',
      'held-word': 'pause_held',
    });
    expect(existsSync(flag(root, 'stale'))).toBe(false);
    const archived = report.unpaused[0]!.archived_to!;
    expect(path.dirname(archived)).toBe(
      path.join(root, 'artifacts/autonomy/local_models/cleared_pauses'),
    );
    expect(readFileSync(archived, 'utf8')).toBe('manual pause for debugging');
    for (const id of ['fresh', 'held', 'held-word']) expect(existsSync(flag(root, id))).toBe(true);
    expect(laneWorkers(root, 'stale')).toEqual([report.started[0]!.pid]);
    for (const id of ['fresh', 'held', 'held-word']) expect(laneWorkers(root, id)).toEqual([]);
    const events = readEvents(root);
    expect(events.find((e) => e.type === 'lane_unpaused')).toMatchObject({
      lane: 'stale',
      reason: 'stale_manual_pause',
      pause_age_sec: expect.any(Number),
      archived_to: archived,
      cycle_id: report.cycle_id,
    });
    expect(events.find((e) => e.type === 'lane_started')).toMatchObject({
      lane: 'stale',
      trigger: 'manual',
      score: 200,
      endpoint_key: 'lm',
      pid: expect.any(Number),
    });
    expect(events.filter((e) => e.type === 'cycle')).toHaveLength(1);
    expect(report.ensure).toMatchObject({ ran: true, ok: true, exit_code: 0 });
  });

  it('uses every URL of a lane: first URL dead, the lane starts and works against the second', async () => {
    const before = models.server.completions;
    const root = buildSandboxRoot(tempDir(), {
      endpoints: endpoints(),
      lanes: [
        {
          id: 'multi',
          urls: [models.dead, models.server.baseUrl],
          pending: 2,
          continuous: true,
          sandbox: { task_ms: 100 },
        },
      ],
    });
    const run = await laneguard(['--root', root, 'once', '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ReturnType<typeof readReport>;
    expect(report.started).toEqual([expect.objectContaining({ id: 'multi', endpoint_key: 'lm' })]);
    await waitFor(
      () => models.server.completions > before,
      'the lane to send work to its second endpoint',
    );
  });

  it('never starts more lanes on an endpoint than its effective max_parallel', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl, max_parallel: 3 }],
      lanes: ['c1', 'c2', 'c3'].map((id, i) => ({
        id,
        urls: [models.server.baseUrl],
        pending: 3 - i,
        continuous: true,
      })),
    });
    // A capability scan found one slot: effective capacity = min(3, 1).
    atomicWriteJson(path.join(root, 'artifacts/autonomy/local_models/fleet_status.json'), {
      timestamp: new Date().toISOString(),
      probe: null,
      capability_scan: {
        timestamp: new Date().toISOString(),
        summary: { by_endpoint: { lm: { recommended_parallel: 2, max_context_tokens: 8192 } } },
        endpoints: [],
      },
    });
    await laneguard(['--root', root, 'once']);
    expect(readReport(root).started.map((s) => s.id)).toEqual(['c1', 'c2']);
    expect(readReport(root).skipped).toEqual([{ id: 'c3', reason: 'capacity_full' }]);
    await laneguard(['--root', root, 'once']);
    const second = readReport(root);
    expect(second.local_running_before).toBe(2);
    expect(second.started).toEqual([]);
    expect(second.skipped).toEqual([{ id: 'c3', reason: 'capacity_full' }]);
  });

  it('a lane that crashes right after starting is backed off, not restarted every cycle', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: endpoints(),
      lanes: [
        { id: 'crashy', urls: [models.server.baseUrl], pending: 1, sandbox: { worker: 'crash' } },
      ],
    });
    const first = await laneguard(['--root', root, 'once']);
    expect(first.code).toBe(1);
    expect(readReport(root).failed).toEqual([
      expect.objectContaining({
        id: 'crashy',
        source: 'start',
        error: expect.stringMatching(/not running 1s after/),
      }),
    ]);
    const state = JSON.parse(
      readFileSync(
        path.join(root, 'artifacts/autonomy/local_models/idle_guard_state.json'),
        'utf8',
      ),
    );
    expect(state.lanes.crashy).toMatchObject({
      failures: 1,
      start_failures: 0,
      backoff_until: expect.any(String),
    });
    expect(readEvents(root).find((e) => e.type === 'lane_start_failed')).toMatchObject({
      lane: 'crashy',
      trigger: 'manual',
      exit_code: 0,
    });
    const second = await laneguard(['--root', root, 'once']);
    expect(second.code).toBe(0);
    expect(readReport(root).skipped).toEqual([{ id: 'crashy', reason: 'backoff' }]);
    expect(readEvents(root).filter((e) => e.type === 'lane_start_failed')).toHaveLength(1);
  });

  it('dry-run decides and records everything and acts on nothing', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: endpoints(),
      lanes: [
        {
          id: 'stale',
          urls: [models.server.baseUrl],
          pending: 1,
          pause: { text: 'manual', ageSec: 7200 },
        },
      ],
    });
    const run = await laneguard(['--root', root, 'once', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('dry run: not done');
    const report = readReport(root);
    expect(report.dry_run).toBe(true);
    expect(report.started).toEqual([expect.objectContaining({ id: 'stale', dry_run: true })]);
    expect(report.unpaused).toEqual([
      expect.objectContaining({ id: 'stale', dry_run: true, archived_to: null }),
    ]);
    expect(report.ensure).toMatchObject({ ran: false, dry_run: true });
    expect(existsSync(flag(root, 'stale'))).toBe(true);
    expect(existsSync(path.join(root, 'artifacts/autonomy/local_models/cleared_pauses'))).toBe(
      false,
    );
    expect(existsSync(path.join(laneDir(root, 'stale'), 'lane.pid'))).toBe(false);
    expect(existsSync(path.join(root, 'artifacts/autonomy/lanes/ensure.log'))).toBe(false);
    expect(
      readEvents(root)
        .map((e) => e.type)
        .filter((t) => t.startsWith('lane_')),
    ).toEqual([]);
  });

  it('--force-unpause clears a held pause on operator request', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: endpoints(),
      lanes: [
        {
          id: 'held',
          urls: [models.server.baseUrl],
          pending: 1,
          pause: { text: '{"reason":"manual","hold":true}', ageSec: 10 },
        },
      ],
    });
    const run = await laneguard(['--root', root, 'once', '--force-unpause', 'held']);
    expect(run.code).toBe(0);
    const report = readReport(root);
    expect(report.unpaused).toEqual([
      expect.objectContaining({ id: 'held', reason: 'force_unpause' }),
    ]);
    expect(report.started.map((s) => s.id)).toEqual(['held']);
    expect(
      readdirSync(path.join(root, 'artifacts/autonomy/local_models/cleared_pauses')),
    ).toHaveLength(1);
  });
});
