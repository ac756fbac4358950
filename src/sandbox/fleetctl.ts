#!/usr/bin/env node
// The sandbox fleet's own control command (what `lanes.start_command` / `ensure_command` call).
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { processArgv, readPid, spawnDetached, trySignal } from '../process/index.js';
import { argValue, readSandboxLane } from './lane-file.js';
import { ENSURE_LOG, RUNTIME_DIR, sandboxScript } from './paths.js';

const argv = process.argv.slice(2);
const root = argValue(argv, '--root');
const command = argv.find((a) => a === 'lane-start' || a === 'lane-stop' || a === 'lanes-ensure');
if (!root || !command) {
  console.error(
    'usage: fleetctl --root DIR lane-start --lane ID | lane-stop --lane ID | lanes-ensure [--json]',
  );
  process.exit(2);
}

async function laneStart(laneId: string): Promise<number> {
  const spec = readSandboxLane(root!, laneId);
  if (!spec) {
    console.error(`unknown lane ${laneId}`);
    return 4;
  }
  if (spec.sandbox?.start === 'hang') {
    console.log(`lane-start ${laneId}: hanging (sandbox)`);
    await new Promise(() => setInterval(() => undefined, 1 << 30));
  }
  if (spec.sandbox?.start === 'fail') {
    console.error(`lane-start ${laneId}: failed to start (sandbox)`);
    return 3;
  }
  const dir = path.join(root!, RUNTIME_DIR, laneId);
  mkdirSync(dir, { recursive: true });
  const pidFile = path.join(dir, 'lane.pid');
  const before = readPid(pidFile);
  const child = await spawnDetached(
    [process.execPath, sandboxScript('lane-worker'), '--root', root!, '--lane', laneId],
    { cwd: process.cwd(), logFile: path.join(dir, 'lane.log') },
  );
  if (!child.ok) {
    console.error(`lane-start ${laneId}: ${child.error}`);
    return 3;
  }
  for (let i = 0; i < 60; i++) {
    const pid = readPid(pidFile);
    if (pid !== null && pid !== before) {
      console.log(JSON.stringify({ ok: true, lane: laneId, pid }));
      return 0;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  console.log(
    JSON.stringify({ ok: true, lane: laneId, pid: child.pid, note: 'pid file not written yet' }),
  );
  return 0;
}

/** Ask the lane's worker to stop (SIGTERM) and wait a little for it; exit 1 when it is still there. */
async function laneStop(laneId: string): Promise<number> {
  const pid = readPid(path.join(root!, RUNTIME_DIR, laneId, 'lane.pid'));
  // Only our own worker: a pid reused by something else is left alone.
  const alive = (): boolean => pid !== null && (processArgv(pid)?.includes(laneId) ?? false);
  if (!alive()) {
    console.log(JSON.stringify({ ok: true, lane: laneId, stopped: false, note: 'not running' }));
    return 0;
  }
  trySignal(pid!, 'SIGTERM');
  for (let i = 0; i < 40 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
  const stopped = !alive();
  console.log(JSON.stringify({ ok: stopped, lane: laneId, pid, stopped }));
  return stopped ? 0 : 1;
}

if (command === 'lane-start' || command === 'lane-stop') {
  const laneId = argValue(argv, '--lane');
  if (!laneId) {
    console.error(`${command} needs --lane ID`);
    process.exit(2);
  }
  process.exit(command === 'lane-start' ? await laneStart(laneId) : await laneStop(laneId));
} else {
  appendFileSync(
    path.join(root, ENSURE_LOG),
    `${JSON.stringify({ ts: new Date().toISOString(), pid: process.pid })}\n`,
  );
  console.log(JSON.stringify({ ok: true, ensured: [] }));
}
