// Mutual supervision, the `serve` side: ensureWatchdogRunning against a real `watchdog run`.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/history/store.js';
import { systemClock } from '../../src/util/clock.js';
import { pidAlive, processArgv } from '../../src/process/index.js';
import type { WatchdogConfig } from '../../src/config/watchdog.js';
import {
  readWatchdogSnapshot,
  watchdogStateFile,
  watchdogSupervisionJob,
} from '../../src/watchdog/serve-hooks.js';
import { ensureWatchdogRunning, type EnsureWatchdogOptions } from '../../src/watchdog/supervise.js';
import { MAIN, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import {
  assertBuiltWatchdog,
  FIXTURES,
  foreverEntry,
  OUT,
  readPid,
  readState,
  startFixture,
  writeWatchdogConfig,
} from './helpers.js';

beforeAll(() => assertBuiltWatchdog());

function setup(processes: Array<Record<string, unknown>> = []): {
  root: string;
  config: WatchdogConfig;
  guardHistory: HistoryStore;
  options: EnsureWatchdogOptions;
} {
  const root = tempDir();
  const config = writeWatchdogConfig(root, { interval_sec: 0.5, processes });
  // The events serve records go to serve's own history.
  const guardHistory = new HistoryStore(
    path.join(root, OUT, 'idle_guard_history.ndjson'),
    { maxBytes: 1 << 20, keepFiles: 1 },
    systemClock,
  );
  const options = {
    config,
    clock: systemClock,
    history: guardHistory,
    command: [process.execPath, MAIN, '--root', root, 'watchdog', 'run'],
    random: () => 0.5,
  };
  return { root, config, guardHistory, options };
}

function guardEvents(root: string): Array<Record<string, unknown>> {
  const file = path.join(root, OUT, 'idle_guard_history.ndjson');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const isWatchdogRun = (pid: number): boolean =>
  (processArgv(pid) ?? []).join(' ').includes('watchdog run');

describe('ensureWatchdogRunning (what serve calls periodically)', () => {
  it('serve brings a killed watchdog back, and the processes the watchdog started stay up meanwhile', async () => {
    const { root, config, options } = setup([foreverEntry('p1')]);
    const first = await ensureWatchdogRunning(options);
    expect(first).toMatchObject({
      status: 'restarted',
      restarted: true,
      reason: 'pid file missing',
    });
    const watchdog = first.pid!;
    expect(isWatchdogRun(watchdog)).toBe(true);
    expect(readPid(config.pidFile)).toBe(watchdog);

    // The watchdog does its own job: p1 comes up.
    await waitFor(
      () => existsSync(config.stateFile) && readState(root).processes.p1?.status === 'healthy',
      'the watchdog to start p1',
      30_000,
    );
    const p1 = readState(root).processes.p1!.pid!;

    process.kill(watchdog, 'SIGKILL');
    await waitFor(() => !pidAlive(watchdog), 'the watchdog to die');
    const again = await ensureWatchdogRunning({ ...options, memory: first.memory });
    expect(again).toMatchObject({
      status: 'restarted',
      restarted: true,
      reason: `pid ${watchdog} is not running`,
    });
    expect(again.pid).not.toBe(watchdog);
    expect(isWatchdogRun(again.pid!)).toBe(true);
    expect(pidAlive(p1)).toBe(true);

    const steady = await ensureWatchdogRunning({ ...options, memory: again.memory });
    expect(steady).toMatchObject({ status: 'running', restarted: false, pid: again.pid });
    expect(guardEvents(root).filter((e) => e.type === 'process_restarted')).toEqual([
      expect.objectContaining({ process: 'watchdog', pid: watchdog, reason: 'pid file missing' }),
      expect.objectContaining({
        process: 'watchdog',
        pid: again.pid,
        reason: `pid ${watchdog} is not running`,
      }),
    ]);
  });

  it('a watchdog pid file naming an unrelated process: not trusted, not signalled, a real watchdog started', async () => {
    const { root, config, options } = setup();
    const signalLog = path.join(root, 'bystander-signals.log');
    const bystander = startFixture('bystander.js', ['--signal-log', signalLog]);
    await waitFor(() => pidAlive(bystander), 'bystander');
    writeFileSync(config.pidFile, `${bystander}\n`);

    const result = await ensureWatchdogRunning(options);
    expect(result.status).toBe('restarted');
    expect(result.reason).toContain(`pid ${bystander} belongs to another process`);
    expect(result.pid).not.toBe(bystander);
    expect(isWatchdogRun(result.pid!)).toBe(true);
    expect(pidAlive(bystander)).toBe(true);
    expect(existsSync(signalLog)).toBe(false);
  });

  it('a hung watchdog (alive, state not written) is stopped by verified pid and replaced', async () => {
    const { config, options } = setup();
    const first = await ensureWatchdogRunning(options);
    const hung = first.pid!;
    await waitFor(() => existsSync(config.stateFile), 'the first state write');
    process.kill(hung, 'SIGSTOP');
    const staleAfterSec = 2;
    await waitFor(
      () => (Date.now() - statSync(config.stateFile).mtimeMs) / 1000 > staleAfterSec + 0.5,
      'the state to go stale',
      20_000,
    );

    const result = await ensureWatchdogRunning({ ...options, staleAfterSec, stopGraceMs: 500 });
    expect(result.status).toBe('restarted');
    expect(result.reason).toMatch(/^hung: .*not written for \d+s \(limit 2s\)/);
    await waitFor(() => !pidAlive(hung), 'the hung watchdog to be gone');
    expect(isWatchdogRun(result.pid!)).toBe(true);
  });

  it('a watchdog that cannot start: restart_failed, then backoff without another attempt', async () => {
    const { root, options } = setup();
    const failing = {
      ...options,
      command: [process.execPath, path.join(FIXTURES, 'die-at-once.js')],
    };
    const failed = await ensureWatchdogRunning(failing);
    expect(failed).toMatchObject({ status: 'restart_failed', restarted: false });
    expect(failed.reason).toContain('exited with code 1');
    expect(failed.memory.consecutive_failures).toBe(1);
    expect(Date.parse(failed.memory.next_attempt_at!)).toBeGreaterThan(Date.now());

    const waiting = await ensureWatchdogRunning({ ...failing, memory: failed.memory });
    expect(waiting).toMatchObject({ status: 'backoff', restarted: false, pid: null });
    expect(guardEvents(root).map((e) => e.type)).toEqual(['process_restart_failed']);
  });

  it('no watchdog config in the root: not_configured, nothing started', async () => {
    const root = tempDir();
    const result = await ensureWatchdogRunning({ root, clock: systemClock });
    expect(result).toMatchObject({ status: 'not_configured', restarted: false, pid: null });
  });

  it('as a serve job: starts the watchdog, then only watches; the snapshot for metrics reads its state', async () => {
    const { root, config, guardHistory, options } = setup([foreverEntry('p1')]);
    const lines: string[] = [];
    const job = watchdogSupervisionJob({
      root,
      clock: systemClock,
      history: () => guardHistory,
      log: (l) => lines.push(l),
      command: options.command,
    });
    expect(job.intervalSec()).toBe(30);
    const first = await job.run();
    expect(first).toMatchObject({ status: 'restarted', restarted: true });
    expect(await job.run()).toMatchObject({ status: 'running', restarted: false, pid: first.pid });
    expect(await job.run()).toMatchObject({ status: 'running' });
    expect(lines).toEqual([
      `watchdog supervision: restarted (pid ${first.pid}): pid file missing`,
      `watchdog supervision: running (pid ${first.pid})`,
    ]);

    expect(watchdogStateFile(root)).toBe(config.stateFile);
    await waitFor(
      () => readWatchdogSnapshot(config.stateFile).processes[0]?.up === true,
      'p1 up in the snapshot',
      30_000,
    );
    // Stop the watchdog so the state file holds still while it is compared.
    process.kill(first.pid!, 'SIGKILL');
    await waitFor(() => !pidAlive(first.pid!), 'the watchdog to stop');
    const snapshot = readWatchdogSnapshot(config.stateFile);
    expect(snapshot.processes).toEqual([
      { process: 'p1', up: true, gaveUp: false, restartsSuccess: 1, restartsFailure: 0 },
    ]);
    expect(snapshot.stateMtimeMs).toBe(statSync(config.stateFile).mtimeMs);
  });

  it('as a serve job on a root without a watchdog config: not_configured, silent (most fleets have none), nothing started', async () => {
    const root = tempDir();
    const lines: string[] = [];
    const job = watchdogSupervisionJob({
      root,
      clock: systemClock,
      history: () => null,
      log: (l) => lines.push(l),
    });
    expect(await job.run()).toMatchObject({ status: 'not_configured', restarted: false });
    expect(await job.run()).toMatchObject({ status: 'not_configured' });
    expect(lines).toEqual([]);
    expect(watchdogStateFile(root)).toBe(path.join(root, OUT, 'process_watchdog_state.json'));
    expect(readWatchdogSnapshot(watchdogStateFile(root))).toEqual({
      processes: [],
      stateMtimeMs: null,
    });
  });
});
