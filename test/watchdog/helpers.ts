import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MAIN } from '../helpers/cli.js';
import type { HistoryEvent } from '../../src/history/store.js';
import { HistoryStore } from '../../src/history/store.js';
import { systemClock } from '../../src/util/clock.js';
import { loadWatchdogConfig, type WatchdogConfig } from '../../src/config/watchdog.js';
import type { WatchdogState } from '../../src/core/watchdog/types.js';

export const FIXTURES = path.resolve('test/watchdog/fixtures');
export const OUT = 'artifacts/autonomy/local_models';

/** A supervised `forever.js` process entry for a root (pid file, fresh health file). */
export function foreverEntry(
  id: string,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id,
    pid_file: `run/${id}.pid`,
    match_regex: `forever\\.js --id ${id} `,
    restart_command: [
      'node',
      path.join(FIXTURES, 'forever.js'),
      '--id',
      id,
      '--pid-file',
      `{root}/run/${id}.pid`,
      '--health-file',
      `{root}/run/${id}.health`,
    ],
    // Short, so the suite does not sit out long graces: a node start fits in a second even on a
    // loaded machine (the restart is judged by the pid file and command line once it is over).
    startup_grace_sec: 1,
    restart_cooldown_sec: 0,
    stop_grace_sec: 5,
    health: { file: `run/${id}.health`, max_age_sec: 2 },
    ...over,
  };
}

/** A supervised `die-at-once.js` entry: every restart exits at once (crash-loop tests). */
export function crasherEntry(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'crasher',
    pid_file: 'run/crasher.pid',
    match_regex: 'die-at-once\\.js',
    restart_command: [
      'node',
      path.join(FIXTURES, 'die-at-once.js'),
      '--pid-file',
      '{root}/run/crasher.pid',
    ],
    startup_grace_sec: 0.5,
    restart_cooldown_sec: 0,
    ...over,
  };
}

export function writeWatchdogConfig(root: string, config: Record<string, unknown>): WatchdogConfig {
  mkdirSync(path.join(root, 'config'), { recursive: true });
  mkdirSync(path.join(root, 'run'), { recursive: true });
  mkdirSync(path.join(root, OUT), { recursive: true });
  writeFileSync(
    path.join(root, 'config/local_model_process_watchdog.json'),
    JSON.stringify(config, null, 2),
  );
  return loadWatchdogConfig(root);
}

export function historyOf(config: WatchdogConfig): HistoryStore {
  return new HistoryStore(config.historyFile, config.history, systemClock);
}

export function watchdogEvents(root: string): HistoryEvent[] {
  const file = path.join(root, OUT, 'process_watchdog_history.ndjson');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as HistoryEvent);
}

export function readState(root: string): WatchdogState {
  return JSON.parse(
    readFileSync(path.join(root, OUT, 'process_watchdog_state.json'), 'utf8'),
  ) as WatchdogState;
}

export function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Start a fixture as its own process group (not a child we wait on); killed by tmp.ts's cleanup. */
export function startFixture(script: string, args: string[]): number {
  const child = spawn(process.execPath, [path.join(FIXTURES, script), ...args], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  return child.pid!;
}

/** Session id of a process (field 6 of /proc/PID/stat). */
export function sessionOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
  } catch {
    return null;
  }
}

function newestMtime(dir: string, ext: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, ext));
    else if (entry.name.endsWith(ext)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** CLI tests run dist/main.js: refuse to test a build older than the watchdog sources. */
export function assertBuiltWatchdog(): void {
  const built = path.resolve('dist/watchdog');
  if (!existsSync(MAIN) || !existsSync(built))
    throw new Error('dist/ has no watchdog: run `npm run build` first');
  const source = Math.max(
    newestMtime(path.resolve('src/watchdog'), '.ts'),
    statSync(path.resolve('src/cli/watchdog.ts')).mtimeMs,
  );
  const output = Math.min(
    newestMtime(built, '.js'),
    statSync(path.resolve('dist/cli/watchdog.js')).mtimeMs,
  );
  if (output < source)
    throw new Error('dist/ is older than src/watchdog: run `npm run build` first');
}
