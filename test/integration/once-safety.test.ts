// `laneguard once` where the old system went wrong: outages, bad input, crashes, races, hangs.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandboxRoot, laneDir } from '../../src/sandbox/root.js';
import { atomicWriteJson } from '../../src/store/atomic.js';
import { pidAlive } from '../../src/process/index.js';
import { laneguard, readEvents, readReport, waitFor } from '../helpers/cli.js';
import { laneWorkers, processesMentioning, tempDir } from '../helpers/tmp.js';
import { useModelServer } from '../helpers/model-server.js';

const models = useModelServer();

const OUT = 'artifacts/autonomy/local_models';

describe('laneguard once: safety', () => {
  it('below the endpoint floor nothing is unpaused, started or ensured, and the idle counter is held', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [
        { id: 'lm', base_url: models.server.baseUrl },
        { id: 'dead', base_url: models.dead },
      ],
      lanes: [
        {
          id: 'stale',
          urls: [models.server.baseUrl],
          pending: 3,
          pause: { text: 'manual', ageSec: 99999 },
        },
        { id: 'stopped', urls: [models.server.baseUrl], pending: 3 },
      ],
      guard: { minimum_healthy_endpoints: 2 },
    });
    atomicWriteJson(path.join(root, OUT, 'idle_guard_state.json'), {
      consecutive_idle_cycles: 3,
      endpoint_floor_unmet_cycles: 0,
    });
    const run = await laneguard(['--root', root, 'once']);
    expect(run.code).toBe(0);
    const report = readReport(root);
    expect(report).toMatchObject({
      floor_met: false,
      started_count: 0,
      unpaused_count: 0,
      consecutive_idle_cycles: 3,
      endpoint_floor_unmet_cycles: 1,
      anomalies: ['endpoint_floor_not_met'],
    });
    expect(report.ensure.ran).toBe(false);
    expect(report.skipped.map((s) => s.reason)).toEqual([
      'endpoint_floor_not_met',
      'endpoint_floor_not_met',
    ]);
    expect(existsSync(path.join(laneDir(root, 'stale'), 'paused.flag'))).toBe(true);
    expect(existsSync(path.join(root, 'artifacts/autonomy/lanes/ensure.log'))).toBe(false);
    expect(laneWorkers(root, 'stale').concat(laneWorkers(root, 'stopped'))).toEqual([]);
    // A second outage cycle: still held, the outage counter grows.
    await laneguard(['--root', root, 'once']);
    expect(readReport(root)).toMatchObject({
      consecutive_idle_cycles: 3,
      endpoint_floor_unmet_cycles: 2,
    });
  });

  it('leaves a lane pid reused by an unrelated process alone, and starts the lane', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [{ id: 'lane-r', urls: [models.server.baseUrl], pending: 2, continuous: true }],
    });
    const unrelated = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], {
      stdio: 'ignore',
    });
    try {
      await waitFor(
        () => unrelated.pid !== undefined && pidAlive(unrelated.pid),
        'the unrelated process',
      );
      writeFileSync(path.join(laneDir(root, 'lane-r'), 'lane.pid'), String(unrelated.pid));
      const run = await laneguard(['--root', root, 'once']);
      expect(run.code).toBe(0);
      const report = readReport(root);
      expect(report.local_running_before).toBe(0);
      expect(report.started.map((s) => s.id)).toEqual(['lane-r']);
      expect(report.started[0]!.pid).not.toBe(unrelated.pid);
      expect(pidAlive(unrelated.pid!)).toBe(true);
    } finally {
      unrelated.kill('SIGKILL');
    }
  });

  it('repairs a torn state file and a torn history line, keeping what was there', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [{ id: 'l1', urls: [models.server.baseUrl] }],
    });
    mkdirSync(path.join(root, OUT), { recursive: true });
    writeFileSync(
      path.join(root, OUT, 'idle_guard_state.json'),
      '{"consecutive_idle_cycles": 4, "endpoint_fl',
    );
    writeFileSync(
      path.join(root, OUT, 'idle_guard_history.ndjson'),
      '{"ts":"2026-01-01T00:00:00.000Z","type":"cycle"}\n{"ts":"2026-01-01T00:00:30.000Z","typ',
    );
    const run = await laneguard(['--root', root, 'once']);
    expect(run.code).toBe(0);
    const state = JSON.parse(readFileSync(path.join(root, OUT, 'idle_guard_state.json'), 'utf8'));
    expect(state.consecutive_idle_cycles).toBe(1);
    const kept = readdirSync(path.join(root, OUT)).filter((f) =>
      f.startsWith('idle_guard_state.json.corrupt-'),
    );
    expect(kept).toHaveLength(1);
    expect(readFileSync(path.join(root, OUT, kept[0]!), 'utf8')).toBe(
      '{"consecutive_idle_cycles": 4, "endpoint_fl',
    );
    expect(readFileSync(path.join(root, OUT, 'idle_guard_history.ndjson.torn'), 'utf8')).toBe(
      '{"ts":"2026-01-01T00:00:30.000Z","typ\n',
    );
    const types = readEvents(root).map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['cycle', 'history_repaired', 'state_repaired']);
    expect(readReport(root).notes.join()).toMatch(/state file was unreadable/);
  });

  it('a malformed lane is an error row; the good lanes are still recovered; exit 1', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [
        { id: 'good', urls: [models.server.baseUrl], pending: 1, continuous: true },
        { id: 'bad', raw: { id: 'bad', enabled: 'sometimes', env: 'not-an-object' } },
        {
          id: 'evil',
          raw: {
            id: '../../escape',
            env: { ORXAQ_LOCAL_OPENAI_BASE_URL: models.server.baseUrl },
            tasks_file: 'x',
          },
        },
        {
          id: 'shell',
          raw: {
            id: 'x;touch${IFS}pwned',
            env: { ORXAQ_LOCAL_OPENAI_BASE_URL: models.server.baseUrl },
          },
        },
      ],
    });
    const run = await laneguard(['--root', root, 'once']);
    expect(run.code).toBe(1);
    const report = readReport(root);
    expect(report.started.map((s) => s.id)).toEqual(['good']);
    expect(report.failed.map((f) => [f.id, f.source])).toEqual([
      ['bad', 'lanes_file'],
      ['../../escape', 'lanes_file'],
      ['x;touch${IFS}pwned', 'lanes_file'],
    ]);
    expect(run.stdout).toContain('FAILED');
    expect(existsSync(path.join(root, 'artifacts/escape'))).toBe(false);
    expect(existsSync(path.join(root, 'pwned'))).toBe(false);
    // Nothing was created for the rejected ids: only the good lane's directory and the ensure log.
    expect(readdirSync(path.join(root, 'artifacts/autonomy/lanes')).sort()).toEqual([
      'ensure.log',
      'good',
    ]);
  });

  it('refuses lane ids with ../ or shell characters on the command line', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [{ id: 'l1', urls: [models.server.baseUrl] }],
    });
    for (const args of [
      ['once', '--force-unpause', '../l1'],
      ['lanes', 'pause', 'a;rm -rf x'],
      ['lanes', 'unpause', '../../etc'],
      ['history', '--lane', '$(id)'],
    ]) {
      const run = await laneguard(['--root', root, ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/invalid lane id/);
    }
    expect(existsSync(path.join(root, OUT, 'idle_guard_report.json'))).toBe(false);
  });

  it('a start command that hangs is killed at its timeout, with its whole tree, and recorded as a failure', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [
        { id: 'hangs', urls: [models.server.baseUrl], pending: 1, sandbox: { start: 'hang' } },
      ],
      guard: { lanes: { command_timeout_sec: 1.5 } },
    });
    const run = await laneguard(['--root', root, 'once']);
    expect(run.code).toBe(1);
    const report = readReport(root);
    expect(report.failed).toEqual([
      {
        id: 'hangs',
        source: 'start',
        error: 'timed out after 1500 ms',
        last_line: 'lane-start hangs: hanging (sandbox)',
      },
    ]);
    await waitFor(
      () => processesMentioning(root).length === 0,
      'the hanging start command to be gone',
      10_000,
    );
    const state = JSON.parse(readFileSync(path.join(root, OUT, 'idle_guard_state.json'), 'utf8'));
    expect(state.lanes.hangs.failures).toBe(1);
    expect(readEvents(root).find((e) => e.type === 'lane_start_failed')).toMatchObject({
      lane: 'hangs',
      output: expect.stringContaining('hanging (sandbox)'),
    });
  });

  it('two `once` at the same moment never start the same lane twice', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl, max_parallel: 4 }],
      lanes: [
        { id: 'race', urls: [models.server.baseUrl], pending: 5, continuous: true },
        { id: 'race-2', urls: [models.server.baseUrl], pending: 1, continuous: true },
      ],
    });
    const [a, b] = await Promise.all([
      laneguard(['--root', root, 'once']),
      laneguard(['--root', root, 'once']),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const started = readEvents(root)
      .filter((e) => e.type === 'lane_started')
      .map((e) => e.lane);
    expect(started.sort()).toEqual(['race', 'race-2']);
    expect(readEvents(root).filter((e) => e.type === 'cycle')).toHaveLength(2);
    expect(laneWorkers(root, 'race')).toHaveLength(1);
    expect(laneWorkers(root, 'race-2')).toHaveLength(1);
  });

  it('resolves everything against --root (or LANEGUARD_ROOT), never the working directory', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [{ id: 'l1', urls: [models.server.baseUrl] }],
    });
    const elsewhere = tempDir();
    const viaFlag = await laneguard(['--root', root, 'once'], { cwd: elsewhere });
    expect(viaFlag.code).toBe(0);
    const viaEnv = await laneguard(['once'], { cwd: elsewhere, env: { LANEGUARD_ROOT: root } });
    expect(viaEnv.code).toBe(0);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(readEvents(root).filter((e) => e.type === 'cycle')).toHaveLength(2);
  });

  it('a missing fleet config is a usage error that names the file', async () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'config'));
    const run = await laneguard(['--root', root, 'once']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('config/local_model_fleet.json: not found');
  });
});
