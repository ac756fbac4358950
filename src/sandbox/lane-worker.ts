#!/usr/bin/env node
// A sandbox lane: a real process that writes lane.pid and heartbeat.json, takes tasks from its
// tasks file, and sends each to one of its endpoints (trying all of them, not only the first).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { laneEndpointUrls } from '../lanes/adapter.js';
import { parseTaskIds } from '../lanes/work.js';
import { removePid, spawnDetached, writePid } from '../process/index.js';
import { atomicWriteJson } from '../store/atomic.js';
import { argValue, readSandboxLane } from './lane-file.js';
import { RUNTIME_DIR } from './paths.js';

const root = argValue(process.argv, '--root');
const laneId = argValue(process.argv, '--lane');
if (!root || !laneId) {
  console.error('usage: lane-worker --root DIR --lane ID');
  process.exit(2);
}
const spec = readSandboxLane(root, laneId);
if (!spec) {
  console.error(`lane ${laneId} not found in lanes.json`);
  process.exit(2);
}
const dir = path.join(root, RUNTIME_DIR, laneId);
const pidFile = path.join(dir, 'lane.pid');
const stateFile = path.join(dir, 'state.json');
const behavior = spec.sandbox?.worker ?? 'work';
const taskMs = spec.sandbox?.task_ms ?? 3000;

writePid(pidFile);
const beat = (): void =>
  atomicWriteJson(path.join(dir, 'heartbeat.json'), {
    timestamp: new Date().toISOString(),
    pid: process.pid,
  });
beat();
const heartbeat = setInterval(beat, 1000);

function shutdown(code: number): never {
  clearInterval(heartbeat);
  try {
    removePid(pidFile);
  } catch {
    /* not ours to remove */
  }
  process.exit(code);
}
const ignoreTerm = spec.sandbox?.ignore_term === true;
process.on('SIGTERM', () => (ignoreTerm ? console.log('SIGTERM ignored (sandbox)') : shutdown(0)));
process.on('SIGINT', () => shutdown(0));

if (spec.sandbox?.child) {
  // A helper process of the lane; its command line names the lane so tests can find it.
  const code = `${ignoreTerm ? "process.on('SIGTERM', () => {});" : ''} setInterval(() => {}, 1 << 30);`;
  void spawnDetached(
    [process.execPath, '-e', code, 'lane-child', '--root', root, '--lane', laneId],
    { cwd: dir, logFile: path.join(dir, 'lane-child.log') },
  );
}

let hung = false;
const hangAfter = spec.sandbox?.hang_after_ms;
if (hangAfter !== undefined) {
  // Alive, command line right, but no heartbeat and no more work: what a stuck request looks like.
  setTimeout(() => {
    hung = true;
    clearInterval(heartbeat);
    setInterval(() => undefined, 1 << 30);
    console.log('hanging (sandbox)');
  }, hangAfter);
}

function readState(): Record<string, { status: string }> {
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, { status: string }>;
  } catch {
    return {};
  }
}

/** The tasks file's ids; a missing file means no tasks. */
function readTaskIds(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseTaskIds(text, file);
}

async function complete(urls: string[], task: string): Promise<boolean> {
  for (const url of urls) {
    try {
      const res = await fetch(`${url.replace(/\/+$/, '')}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'sandbox',
          max_tokens: 8,
          messages: [{ role: 'user', content: `task ${task}` }],
        }),
        signal: AbortSignal.timeout(5000),
      });
      if (res.ok) return true;
    } catch {
      // Try the lane's next endpoint.
    }
  }
  return false;
}

async function work(): Promise<void> {
  const urls = laneEndpointUrls(spec!.env ?? {});
  const tasksFile = spec!.tasks_file ? path.resolve(root!, spec!.tasks_file) : null;
  for (;;) {
    await new Promise((r) => setTimeout(r, taskMs));
    if (hung) return;
    const state = readState();
    const next = (tasksFile ? readTaskIds(tasksFile) : []).find(
      (id) => (state[id]?.status ?? 'pending') === 'pending',
    );
    if (next === undefined) {
      if (spec!.continuous) continue;
      shutdown(0);
    }
    atomicWriteJson(stateFile, {
      ...state,
      [next]: { status: 'in_progress', at: new Date().toISOString() },
    });
    const ok = await complete(urls, next);
    if (hung) return;
    atomicWriteJson(stateFile, {
      ...readState(),
      [next]: { status: ok ? 'done' : 'pending', at: new Date().toISOString() },
    });
  }
}

if (behavior === 'crash') setTimeout(() => shutdown(1), 200);
else if (behavior === 'work') void work();
