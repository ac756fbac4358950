// One watchdog check against real processes: tiny fixture executables, real signals, real files.
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pidAlive } from '../../src/process/index.js';
import { systemClock } from '../../src/util/clock.js';
import { runWatchdogCheck, type CheckResult } from '../../src/watchdog/check.js';
import type { WatchdogConfig } from '../../src/config/watchdog.js';
import { waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import {
  crasherEntry,
  FIXTURES,
  foreverEntry,
  historyOf,
  readPid,
  readState,
  startFixture,
  watchdogEvents,
  writeWatchdogConfig,
} from './helpers.js';

type Done = Extract<CheckResult, { busy: false }>;

async function check(config: WatchdogConfig): Promise<Done> {
  const result = await runWatchdogCheck({
    config,
    clock: systemClock,
    history: historyOf(config),
    random: () => 0.5,
  });
  if (result.busy) throw new Error('lock busy');
  return result;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A health endpoint on loopback that fails its first `failures` requests, then answers 200. */
async function flakyHealth(failures: number): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.writeHead(hits <= failures ? 500 : 200).end(hits <= failures ? 'sick' : 'ok');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/-/healthy`,
    hits: () => hits,
  };
}

function foreverArgs(root: string, id: string, extra: string[] = []): string[] {
  return [
    '--id',
    id,
    '--pid-file',
    path.join(root, `run/${id}.pid`),
    '--health-file',
    path.join(root, `run/${id}.health`),
    ...extra,
  ];
}

describe('watchdog check on real processes', () => {
  it('starts a process that is not running, and leaves a healthy one alone (no event per check)', async () => {
    const root = tempDir();
    const config = writeWatchdogConfig(root, { processes: [foreverEntry('p1')] });
    const first = await check(config);
    expect(first.processes[0]).toMatchObject({
      id: 'p1',
      status: 'healthy',
      action: 'restarted',
      restarts: 1,
    });
    const pid = readPid(path.join(root, 'run/p1.pid'))!;
    expect(first.processes[0]!.pid).toBe(pid);
    expect(first.ok).toBe(true);

    const second = await check(config);
    expect(second.processes[0]).toMatchObject({ status: 'healthy', action: 'none', pid });
    expect(watchdogEvents(root).map((e) => e.type)).toEqual(['process_restarted']);
    expect(readState(root).processes.p1).toMatchObject({
      status: 'healthy',
      pid,
      restarts_success: 1,
      restarts_failure: 0,
    });
  });

  it('killed with SIGKILL → restarted with a new pid', async () => {
    const root = tempDir();
    const config = writeWatchdogConfig(root, { processes: [foreverEntry('p1')] });
    const old = startFixture('forever.js', foreverArgs(root, 'p1'));
    await waitFor(() => readPid(path.join(root, 'run/p1.pid')) === old, 'fixture pid file');
    expect((await check(config)).processes[0]).toMatchObject({
      status: 'healthy',
      action: 'none',
      pid: old,
    });

    process.kill(old, 'SIGKILL');
    await waitFor(() => !pidAlive(old), 'the SIGKILLed process to be gone');
    const result = await check(config);
    const fresh = readPid(path.join(root, 'run/p1.pid'))!;
    expect(fresh).not.toBe(old);
    expect(pidAlive(fresh)).toBe(true);
    expect(result.processes[0]).toMatchObject({
      status: 'healthy',
      action: 'restarted',
      pid: fresh,
    });
    expect(watchdogEvents(root).filter((e) => e.type === 'process_restarted')).toEqual([
      expect.objectContaining({
        process: 'p1',
        pid: fresh,
        cause: 'pid_dead',
        reason: `pid ${old} is not running`,
      }),
    ]);
  });

  it('a pid file naming an unrelated live process is not trusted: restarted, and that process is never signalled', async () => {
    const root = tempDir();
    const signalLog = path.join(root, 'bystander-signals.log');
    const bystander = startFixture('bystander.js', ['--signal-log', signalLog]);
    await waitFor(() => pidAlive(bystander), 'bystander');
    const config = writeWatchdogConfig(root, { processes: [foreverEntry('p1')] });
    writeFileSync(path.join(root, 'run/p1.pid'), `${bystander}\n`);

    const result = await check(config);
    const fresh = readPid(path.join(root, 'run/p1.pid'))!;
    expect(fresh).not.toBe(bystander);
    expect(result.processes[0]).toMatchObject({
      status: 'healthy',
      action: 'restarted',
      pid: fresh,
      signals: [],
    });
    const [event] = watchdogEvents(root);
    expect(event).toMatchObject({
      type: 'process_restarted',
      cause: 'pid_foreign',
      previous_pid: null,
      signals: [],
    });
    expect(pidAlive(bystander)).toBe(true);
    expect(existsSync(signalLog)).toBe(false);
  });

  it('hung (health file gone stale) → TERM to the verified pid, then restarted', async () => {
    const root = tempDir();
    const config = writeWatchdogConfig(root, {
      processes: [
        foreverEntry('p1', {
          health: { file: 'run/p1.health', max_age_sec: 1 },
          startup_grace_sec: 1,
        }),
      ],
    });
    const hung = startFixture('forever.js', foreverArgs(root, 'p1', ['--stale']));
    await waitFor(() => readPid(path.join(root, 'run/p1.pid')) === hung, 'fixture pid file');
    // Alive but not progressing: wait until its health file is older than max_age_sec, and the
    // process older than startup_grace_sec (a process still starting is not judged hung).
    await new Promise((r) => setTimeout(r, 1500));

    const result = await check(config);
    expect(result.processes[0]).toMatchObject({
      status: 'healthy',
      action: 'restarted',
      signals: ['SIGTERM'],
    });
    expect(pidAlive(hung)).toBe(false);
    const fresh = readPid(path.join(root, 'run/p1.pid'))!;
    expect(fresh).not.toBe(hung);
    expect(watchdogEvents(root)[0]).toMatchObject({
      type: 'process_restarted',
      cause: 'unhealthy',
      previous_pid: hung,
      pid: fresh,
    });
  });

  it('hung and deaf to TERM → KILL after stop_grace_sec, then restarted', async () => {
    const root = tempDir();
    const config = writeWatchdogConfig(root, {
      processes: [
        foreverEntry('p1', {
          health: { file: 'run/p1.health', max_age_sec: 1 },
          startup_grace_sec: 1,
          stop_grace_sec: 1,
        }),
      ],
    });
    const hung = startFixture('forever.js', foreverArgs(root, 'p1', ['--stale', '--ignore-term']));
    await waitFor(() => readPid(path.join(root, 'run/p1.pid')) === hung, 'fixture pid file');
    await new Promise((r) => setTimeout(r, 1500));

    const result = await check(config);
    expect(result.processes[0]).toMatchObject({
      status: 'healthy',
      action: 'restarted',
      signals: ['SIGTERM', 'SIGKILL'],
    });
    expect(pidAlive(hung)).toBe(false);
  });

  it('hung (health URL failing on a real loopback server) → restarted, and healthy once the URL answers 2xx', async () => {
    const root = tempDir();
    const health = await flakyHealth(1);
    const config = writeWatchdogConfig(root, {
      processes: [
        foreverEntry('p1', { health: { http: health.url, timeout_sec: 5 }, startup_grace_sec: 1 }),
      ],
    });
    const hung = startFixture('forever.js', foreverArgs(root, 'p1'));
    await waitFor(() => readPid(path.join(root, 'run/p1.pid')) === hung, 'fixture pid file');
    await new Promise((r) => setTimeout(r, 1500));

    const result = await check(config);
    expect(health.hits()).toBe(2);
    expect(pidAlive(hung)).toBe(false);
    expect(result.processes[0]).toMatchObject({
      status: 'healthy',
      action: 'restarted',
      signals: ['SIGTERM'],
    });
    expect(watchdogEvents(root)[0]).toMatchObject({
      type: 'process_restarted',
      cause: 'unhealthy',
      reason: expect.stringContaining('HTTP 500'),
    });
  });

  it('a command whose child exits at once: backoff grows, then given up; no restart is ever a success', async () => {
    const root = tempDir();
    const config = writeWatchdogConfig(root, {
      processes: [
        crasherEntry({
          health: { file: 'run/crasher.health', max_age_sec: 5 },
          backoff: { initial_sec: 0.2, max_sec: 10, jitter_ratio: 0 },
          start_limit: { burst: 4, interval_sec: 600 },
        }),
      ],
    });
    const results: Done[] = [];
    for (let i = 0; i < 12 && results.at(-1)?.processes[0]!.status !== 'given_up'; i++) {
      const next = results.at(-1)?.state.processes.crasher?.next_attempt_at;
      if (next) await waitFor(() => Date.now() > Date.parse(next), 'the backoff to pass');
      results.push(await check(config));
    }
    expect(results.map((r) => r.processes[0]!.action)).toEqual([
      'restart_failed',
      'restart_failed',
      'restart_failed',
      'restart_failed',
      'gave_up',
    ]);
    expect(results.every((r) => !r.ok)).toBe(true);
    const events = watchdogEvents(root);
    expect(events.map((e) => e.type)).toEqual([
      'process_restart_failed',
      'process_restart_failed',
      'process_restart_failed',
      'process_restart_failed',
      'process_gave_up',
    ]);
    expect(
      events.filter((e) => e.type === 'process_restart_failed').map((e) => e.backoff_sec),
    ).toEqual([0.2, 0.4, 0.8, 1.6]);
    for (const e of events.slice(0, 4)) expect(e.error).toMatch(/after startup_grace_sec 0\.5s/);
    const state = readState(root).processes.crasher!;
    expect(state).toMatchObject({ status: 'given_up', restarts_success: 0, restarts_failure: 4 });

    // Given up means given up: a later check restarts nothing and records nothing.
    const after = await check(config);
    expect(after.processes[0]).toMatchObject({ status: 'given_up', action: 'none', restarts: 4 });
    expect(after.processes[0]!.next_attempt_at).toBe(
      new Date(Date.parse(state.gave_up_at!) + 600_000).toISOString(),
    );
    expect(watchdogEvents(root)).toHaveLength(5);
  });

  it('a failed restart says why (the exit code); a check during backoff starts nothing and writes no history line', async () => {
    const root = tempDir();
    const config = writeWatchdogConfig(root, {
      processes: [
        {
          id: 'crasher',
          pid_file: 'run/crasher.pid',
          match_regex: 'die-at-once\\.js',
          restart_command: ['node', path.join(FIXTURES, 'die-at-once.js')],
          // Long enough for the command to have exited, so its exit code is in the reason.
          startup_grace_sec: 3,
          backoff: { initial_sec: 120, jitter_ratio: 0 },
        },
      ],
    });
    const failed = await check(config);
    expect(failed.processes[0]).toMatchObject({ action: 'restart_failed', status: 'backoff' });
    expect(failed.processes[0]!.reason).toMatch(
      /^restart failed: pid file missing after startup_grace_sec 3s; the command exited with code 1; next restart attempt at /,
    );
    const again = await check(config);
    expect(again.processes[0]).toMatchObject({ action: 'none', status: 'backoff', restarts: 1 });
    expect(again.processes[0]!.reason).toContain('next restart attempt at');
    expect(watchdogEvents(root)).toHaveLength(1);
  });
});
