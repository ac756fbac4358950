import path from 'node:path';
import { childPath, resolveUnderRoot } from '../config/paths.js';
import { isValidLaneId } from '../config/lanes-schema.js';

/** The lane keys that name files (all relative to the fleet root, or absolute). */
export interface LanePathKeys {
  id: string;
  tasks_file?: string;
  task_queue_file?: string;
  task_queue_state_file?: string;
  state_file?: string;
  heartbeat_file?: string;
}

/** Every file laneguard reads for one lane of the orxaq layout. */
export interface LaneFiles {
  /** `<runtime dir>/<id>/`: lane.pid and paused.flag always live here. */
  dir: string;
  pidFile: string;
  stateFile: string;
  heartbeatFile: string;
  tasksFile: string | null;
  queueFile: string;
  claimedFile: string;
}

/** A lane's runtime directory, proved to stay inside the runtime dir (the id is validated first). */
export function laneRuntimeDir(runtimeDir: string, laneId: string): string {
  if (!isValidLaneId(laneId)) throw new Error(`invalid lane id ${JSON.stringify(laneId)}`);
  return childPath(runtimeDir, laneId);
}

/**
 * Where one lane's files are. The lane's own `state_file` / `heartbeat_file` / queue keys win (as in
 * the replaced system), resolved against the root; otherwise the file of the lane's runtime dir.
 * Throws (naming the lane and key) when a relative override leaves the root.
 */
export function laneFiles(
  spec: LanePathKeys,
  root: string,
  runtimeDir: string,
  lanesFileName = 'config/lanes.json',
): LaneFiles {
  const dir = laneRuntimeDir(runtimeDir, spec.id);
  const override = (key: keyof Omit<LanePathKeys, 'id'>, fallback: string): string => {
    const value = spec[key];
    return value ? resolveUnderRoot(root, value, lanesFileName, `${spec.id}.${key}`) : fallback;
  };
  // `dir` is resolved (absolute, normalised): a plain file name is appended, not joined.
  const inDir = (name: string): string => `${dir}${path.sep}${name}`;
  return {
    dir,
    pidFile: inDir('lane.pid'),
    stateFile: override('state_file', inDir('state.json')),
    heartbeatFile: override('heartbeat_file', inDir('heartbeat.json')),
    tasksFile: spec.tasks_file ? override('tasks_file', '') : null,
    queueFile: override('task_queue_file', inDir('task_queue.ndjson')),
    claimedFile: override('task_queue_state_file', inDir('task_queue_state.json')),
  };
}
