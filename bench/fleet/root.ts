// Synthetic fleet roots in the orxaq layout for `npm run bench:fleet`: N lanes with realistic lane
// specs, tasks files, state, heartbeats, stale pids and pause flags, written fast (no fsync: the
// root is thrown away after the run).
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const RUNTIME_DIR = 'artifacts/autonomy/lanes';
const TASKS = 12;

export interface FleetRootOptions {
  lanes: number;
  /** Endpoint base URLs the lanes use (round-robin). */
  endpointUrls: string[];
  /** Guard config keys over the bench defaults. */
  guard?: Record<string, unknown>;
}

export function laneId(i: number): string {
  return `lane-${String(i).padStart(5, '0')}`;
}

/** A lane spec shaped like the replaced system's shipped lanes.json entries. */
function laneSpec(i: number, urls: string[]): Record<string, unknown> {
  const id = laneId(i);
  return {
    id,
    enabled: true,
    name: `Synthetic lane ${i}`,
    owner: `team-${i % 7}`,
    description: 'Synthetic lane for the fleet benchmark.',
    impl_repo: '.',
    test_repo: '.',
    priority: (i % 5) + 1,
    tasks_file: `config/lanes/${id}_tasks.json`,
    objective_file: `config/objectives/${id}.md`,
    handoff_dir: 'artifacts/autonomy/handoffs',
    validate_commands: ['make lint', 'make test'],
    continuous: true,
    max_cycles: 1_000_000_000,
    env: {
      ORXAQ_TASK_QUEUE_PERSISTENT_MODE: '1',
      ORXAQ_AUTONOMY_LOCAL_ONLY: '1',
      ORXAQ_LOCAL_OPENAI_BASE_URLS: urls[i % urls.length]!,
    },
  };
}

function taskState(i: number, round: number): Record<string, { status: string }> {
  const state: Record<string, { status: string }> = {};
  // Most tasks done, a few in progress or blocked; `round` moves one task along so a rewrite changes content.
  for (let t = 0; t < TASKS; t++) {
    const status =
      t < 8
        ? 'done'
        : t === 8
          ? 'in_progress'
          : t === 9
            ? 'blocked'
            : (t + round) % 3 === 0
              ? 'done'
              : 'pending';
    if (status !== 'pending') state[`${laneId(i)}-t${t}`] = { status };
  }
  return state;
}

/** Rewrite the files a working lane touches between cycles (state and heartbeat). */
export function touchLane(root: string, i: number, round: number, now = new Date()): void {
  const dir = path.join(root, RUNTIME_DIR, laneId(i));
  writeFileSync(path.join(dir, 'state.json'), JSON.stringify(taskState(i, round)));
  writeFileSync(path.join(dir, 'heartbeat.json'), JSON.stringify({ timestamp: now.toISOString() }));
}

export function buildFleetRoot(root: string, options: FleetRootOptions): string {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(path.join(root, 'config/lanes'), { recursive: true });
  const old = new Date(Date.now() - 3600_000);
  const guard = {
    // The benchmark measures reading and deciding: nothing is started, so no lane process is needed.
    dry_run: true,
    interval_sec: 3600,
    fleet_probe_interval_sec: 3600,
    fleet_capability_scan_interval_sec: 3600,
    ...options.guard,
  };
  writeFileSync(
    path.join(root, 'config/local_model_idle_guard.json'),
    JSON.stringify(guard, null, 2),
  );
  const endpoints = options.endpointUrls.map((base_url, n) => ({
    id: `ep-${n}`,
    base_url,
    kind: 'openai',
    max_parallel: 64,
  }));
  writeFileSync(
    path.join(root, 'config/local_model_fleet.json'),
    JSON.stringify({ endpoints }, null, 2),
  );
  const specs = Array.from({ length: options.lanes }, (_, i) => laneSpec(i, options.endpointUrls));
  writeFileSync(
    path.join(root, 'config/lanes.json'),
    JSON.stringify({ version: 1, lanes: specs }, null, 2),
  );
  for (let i = 0; i < options.lanes; i++) {
    const id = laneId(i);
    const tasks = Array.from({ length: TASKS }, (_, t) => ({
      id: `${id}-t${t}`,
      title: `task ${t} of ${id}`,
      priority: t % 3,
    }));
    writeFileSync(path.join(root, 'config/lanes', `${id}_tasks.json`), JSON.stringify({ tasks }));
    const dir = path.join(root, RUNTIME_DIR, id);
    mkdirSync(dir, { recursive: true });
    touchLane(root, i, 0, old);
    // A lane that ran once leaves its pid behind; a pid that no longer exists reads as stopped.
    if (i % 4 === 0) writeFileSync(path.join(dir, 'lane.pid'), '4000000\n');
    if (i % 10 === 0)
      writeFileSync(
        path.join(dir, 'paused.flag'),
        JSON.stringify({ reason: 'maintenance', by: 'ops', hold: true }),
      );
    if (i % 20 === 0)
      writeFileSync(
        path.join(dir, 'task_queue.ndjson'),
        `${JSON.stringify({ id: `${id}-q1`, lane: id })}\n`,
      );
    for (const name of [
      'state.json',
      'heartbeat.json',
      'lane.pid',
      'paused.flag',
      'task_queue.ndjson',
    ]) {
      try {
        utimesSync(path.join(dir, name), old, old);
      } catch {
        // Not every lane has every file.
      }
    }
  }
  return root;
}
