import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LANES_FILE } from './paths.js';

/** How a sandbox lane behaves, read from its `sandbox` key in lanes.json (ignored by laneguard). */
export interface SandboxBehavior {
  /** lane-start: start the worker, hang past any timeout, or fail at once. */
  start?: 'ok' | 'hang' | 'fail';
  /** worker: take tasks, crash right after starting, or sit idle. */
  worker?: 'work' | 'crash' | 'idle';
  /** Milliseconds a task takes. */
  task_ms?: number;
  /** worker: after this many ms, stop heartbeating and working but stay alive (a hung lane). */
  hang_after_ms?: number;
  /** worker: ignore SIGTERM (a lane that does not stop when asked). */
  ignore_term?: boolean;
  /** worker: run a child process of its own (which ignores SIGTERM as the worker does). */
  child?: boolean;
}

export interface SandboxLaneSpec {
  id: string;
  tasks_file?: string;
  continuous?: boolean;
  env?: Record<string, string>;
  sandbox?: SandboxBehavior;
}

export function readSandboxLane(root: string, laneId: string): SandboxLaneSpec | null {
  const json = JSON.parse(readFileSync(path.join(root, LANES_FILE), 'utf8')) as unknown;
  const lanes = (
    Array.isArray(json) ? json : (json as { lanes: unknown[] }).lanes
  ) as SandboxLaneSpec[];
  return lanes.find((l) => l?.id === laneId) ?? null;
}

export function argValue(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}
