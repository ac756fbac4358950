// `laneguard watchdog …` as a real process (dist/main.js), against real supervised processes.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pidAlive } from '../../src/process/index.js';
import { laneguard, MAIN, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import {
  assertBuiltWatchdog,
  crasherEntry,
  foreverEntry,
  OUT,
  readPid,
  readState,
  sessionOf,
  startFixture,
  watchdogEvents,
  writeWatchdogConfig,
} from './helpers.js';

beforeAll(() => assertBuiltWatchdog());

const crasher = crasherEntry({
  backoff: { initial_sec: 0.1, max_sec: 0.2, jitter_ratio: 0 },
  start_limit: { burst: 1, interval_sec: 600 },
});

describe('laneguard watchdog once / status / reset', () => {
  it('once: exit 0 when every enabled process ends healthy (restarted ones included); the child outlives the command', async () => {
    const root = tempDir();
    writeWatchdogConfig(root, {
      processes: [foreverEntry('p1'), { ...foreverEntry('off'), enabled: false }],
    });
    const run = await laneguard(['--root', root, 'watchdog', 'once', '--json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.ok).toBe(true);
    expect(
      out.processes.map((p: { id: string; status: string; action: string }) => [
        p.id,
        p.status,
        p.action,
      ]),
    ).toEqual([
      ['p1', 'healthy', 'restarted'],
      ['off', 'disabled', 'none'],
    ]);
    const pid = readPid(path.join(root, 'run/p1.pid'))!;
    expect(out.events).toEqual([
      expect.objectContaining({ type: 'process_restarted', process: 'p1', pid }),
    ]);
    expect(pidAlive(pid)).toBe(true);
    expect(sessionOf(pid)).toBe(pid);
  });

  it('once: exit 1 while a process is in backoff or given up; status --json has the documented shape; reset lets it try again', async () => {
    const root = tempDir();
    writeWatchdogConfig(root, { processes: [crasher] });
    const first = await laneguard(['--root', root, 'watchdog', 'once']);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/process_restart_failed crasher/);
    expect(first.stdout).toMatch(/^crasher\s+backoff\s+-\s+1\s/m);
    await waitFor(
      () => Date.now() > Date.parse(readState(root).processes.crasher!.next_attempt_at!),
      'the backoff to pass',
    );
    expect((await laneguard(['--root', root, 'watchdog', 'once'])).code).toBe(1);

    const status = await laneguard(['--root', root, 'watchdog', 'status', '--json']);
    expect(status.code).toBe(0);
    const json = JSON.parse(status.stdout);
    expect(Object.keys(json.processes[0]).sort()).toEqual([
      'id',
      'last_restart_at',
      'next_attempt_at',
      'pid',
      'reason',
      'restarts',
      'status',
    ]);
    expect(json.processes[0]).toMatchObject({
      id: 'crasher',
      status: 'given_up',
      pid: null,
      restarts: 1,
    });
    expect(json.processes[0].reason).toContain('laneguard watchdog reset crasher');
    expect(json.watchdog).toMatchObject({ running: false, pid: null });

    const reset = await laneguard(['--root', root, 'watchdog', 'reset', 'crasher']);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('was given_up');
    expect(readState(root).processes.crasher).toMatchObject({
      gave_up_at: null,
      attempts: [],
      consecutive_failures: 0,
      restarts_failure: 1,
    });
    const retried = await laneguard(['--root', root, 'watchdog', 'once', '--json']);
    expect(JSON.parse(retried.stdout).processes[0]).toMatchObject({
      action: 'restart_failed',
      restarts: 2,
    });
    expect(watchdogEvents(root).map((e) => e.type)).toEqual([
      'process_restart_failed',
      'process_gave_up',
      'process_reset',
      'process_restart_failed',
    ]);
  });

  it('usage and config errors exit 2 and name the file, key and fix', async () => {
    const root = tempDir();
    writeWatchdogConfig(root, { processes: [foreverEntry('p1')] });
    const unknown = await laneguard(['--root', root, 'watchdog', 'reset', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'no process "nope" in config/local_model_process_watchdog.json; configured: p1',
    );
    writeFileSync(
      path.join(root, 'config/local_model_process_watchdog.json'),
      JSON.stringify({ processes: [{ ...foreverEntry('p1'), match_regex: '(' }] }),
    );
    const bad = await laneguard(['--root', root, 'watchdog', 'once']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'config/local_model_process_watchdog.json: processes[0].match_regex (process "p1"): not a valid regular expression',
    );
  });

  it('--help explains every subcommand and the exit codes', async () => {
    const help = await laneguard(['watchdog', '--help']);
    expect(help.code).toBe(0);
    for (const sub of ['once', 'run', 'start', 'stop', 'status', 'reset'])
      expect(help.stdout).toMatch(new RegExp(`^  ${sub}\\b`, 'm'));
    const once = await laneguard(['watchdog', 'once', '--help']);
    expect(once.stdout).toContain('1 one is down, hung, in backoff or given up');
  });
});

describe('laneguard watchdog start / stop / run', () => {
  it('start runs `watchdog run` in the background with a pid file; a second start or run does not double it; stop ends it', async () => {
    const root = tempDir();
    const config = writeWatchdogConfig(root, {
      interval_sec: 0.5,
      processes: [foreverEntry('p1')],
    });
    const start = await laneguard(['--root', root, 'watchdog', 'start']);
    expect(start.code).toBe(0);
    const pid = readPid(config.pidFile)!;
    expect(start.stdout).toContain(`watchdog started (pid ${pid})`);
    expect((await laneguard(['--root', root, 'watchdog', 'start'])).stdout).toContain(
      `already running (pid ${pid})`,
    );
    const second = await laneguard(['--root', root, 'watchdog', 'run']);
    expect(second.code).toBe(1);
    expect(second.stdout).toContain(`already running (pid ${pid}`);

    await waitFor(
      () => existsSync(config.stateFile) && readState(root).processes.p1?.status === 'healthy',
      'p1 started by the daemon',
      30_000,
    );
    const status = JSON.parse(
      (await laneguard(['--root', root, 'watchdog', 'status', '--json'])).stdout,
    );
    expect(status.watchdog).toMatchObject({ running: true, pid });
    expect(status.processes[0]).toMatchObject({ id: 'p1', status: 'healthy' });

    const stop = await laneguard(['--root', root, 'watchdog', 'stop']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain(`watchdog stopped (pid ${pid})`);
    expect(pidAlive(pid)).toBe(false);
    expect(existsSync(config.pidFile)).toBe(false);
    expect(watchdogEvents(root).map((e) => e.type)).toEqual(
      expect.arrayContaining(['watchdog_started', 'process_restarted', 'watchdog_stopped']),
    );
    expect((await laneguard(['--root', root, 'watchdog', 'stop'])).stdout).toContain('not running');
  });

  it('stop never signals an unrelated process named by the watchdog pid file', async () => {
    const root = tempDir();
    const config = writeWatchdogConfig(root, { processes: [] });
    const signalLog = path.join(root, 'bystander-signals.log');
    const bystander = startFixture('bystander.js', ['--signal-log', signalLog]);
    await waitFor(() => pidAlive(bystander), 'bystander');
    writeFileSync(config.pidFile, `${bystander}\n`);
    const stop = await laneguard(['--root', root, 'watchdog', 'stop', '--grace', '1']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain('not running');
    expect(pidAlive(bystander)).toBe(true);
    expect(existsSync(signalLog)).toBe(false);
  });

  it("stop and status never take the watchdog of another root, named by a stale pid file, for this root's", async () => {
    const other = tempDir();
    const otherConfig = writeWatchdogConfig(other, { interval_sec: 0.5, processes: [] });
    const otherWatchdog = spawn(process.execPath, [MAIN, '--root', other, 'watchdog', 'run'], {
      detached: true,
      stdio: 'ignore',
    });
    const otherPid = otherWatchdog.pid!;
    await waitFor(
      () => readPid(otherConfig.pidFile) === otherPid,
      "the other root's watchdog to claim its pid file",
    );
    const root = tempDir();
    const config = writeWatchdogConfig(root, { processes: [] });
    writeFileSync(config.pidFile, `${otherPid}\n`);
    const status = JSON.parse(
      (await laneguard(['--root', root, 'watchdog', 'status', '--json'])).stdout,
    );
    expect(status.watchdog).toMatchObject({ running: false });
    const stop = await laneguard(['--root', root, 'watchdog', 'stop', '--grace', '1']);
    expect(stop.stdout).toContain('not running');
    expect(pidAlive(otherPid)).toBe(true);
    const start = await laneguard(['--root', root, 'watchdog', 'start']);
    expect(start.code).toBe(0);
    const pid = readPid(config.pidFile)!;
    expect(pid).not.toBe(otherPid);
    expect((await laneguard(['--root', root, 'watchdog', 'stop'])).code).toBe(0);
    expect(pidAlive(otherPid)).toBe(true);
    expect((await laneguard(['--root', other, 'watchdog', 'stop'])).stdout).toContain(
      `watchdog stopped (pid ${otherPid})`,
    );
  });

  it("a restarted child survives the watchdog's own exit, even when the watchdog's whole process group is killed", async () => {
    const root = tempDir();
    const config = writeWatchdogConfig(root, {
      interval_sec: 0.5,
      processes: [foreverEntry('p1')],
    });
    const watchdog = spawn(process.execPath, [MAIN, '--root', root, 'watchdog', 'run'], {
      detached: true,
      stdio: 'ignore',
    });
    const wpid = watchdog.pid!;
    await waitFor(
      () => existsSync(config.stateFile) && readState(root).processes.p1?.status === 'healthy',
      'p1 started by the watchdog',
      30_000,
    );
    const child = readState(root).processes.p1!.pid!;
    expect(sessionOf(child)).toBe(child);
    expect(sessionOf(child)).not.toBe(sessionOf(wpid));

    process.kill(-wpid, 'SIGKILL');
    await waitFor(() => !pidAlive(wpid), 'the watchdog to die');
    expect(pidAlive(child)).toBe(true);
    expect(readPid(path.join(root, 'run/p1.pid'))).toBe(child);
    // And it is still the process it was: a fresh watchdog finds it healthy and leaves it alone.
    const once = JSON.parse(
      (await laneguard(['--root', root, 'watchdog', 'once', '--json'])).stdout,
    );
    expect(once.processes[0]).toMatchObject({ status: 'healthy', action: 'none', pid: child });
    expect(existsSync(path.join(root, OUT, 'watchdog_p1.log'))).toBe(true);
  });
});
