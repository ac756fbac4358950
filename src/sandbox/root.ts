// Builds a fleet root in the orxaq layout: config files, lanes, tasks, state and pause flags.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { atomicWriteJson } from '../store/atomic.js';
import type { SandboxBehavior } from './lane-file.js';
import { LANES_FILE, RUNTIME_DIR, sandboxScript } from './paths.js';

export interface SandboxEndpoint {
  id: string;
  base_url: string;
  [key: string]: unknown;
}

export interface SandboxLane {
  id: string;
  /** Endpoint URLs (ORXAQ_LOCAL_OPENAI_BASE_URLS); empty = not a local lane. */
  urls?: string[];
  localOnly?: boolean;
  enabled?: boolean;
  owner?: string;
  continuous?: boolean;
  /** Number of pending tasks to create. */
  pending?: number;
  /** Statuses to record in state.json for extra tasks (e.g. {in_progress: 1, done: 2}). */
  states?: Partial<Record<'in_progress' | 'blocked' | 'done', number>>;
  queued?: number;
  /** A pause flag: its text and age. */
  pause?: { text: string; ageSec: number };
  sandbox?: SandboxBehavior;
  /** Raw lane object written as is (for malformed-lane tests). */
  raw?: unknown;
  extra?: Record<string, unknown>;
}

export interface SandboxRootSpec {
  endpoints: SandboxEndpoint[];
  lanes: SandboxLane[];
  /** Guard config keys over the sandbox defaults. */
  guard?: Record<string, unknown>;
  /** Extra sections of the fleet file. */
  fleetExtra?: Record<string, unknown>;
}

/** Guard config for a sandbox root: the sandbox's fleet control command and short timings. */
export function sandboxGuardConfig(
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const fleetctl = sandboxScript('fleetctl');
  const { lanes: laneOverrides, ...rest } = overrides as { lanes?: Record<string, unknown> };
  return {
    interval_sec: 5,
    fleet_probe_interval_sec: 1,
    stale_manual_pause_sec: 600,
    start_verify_sec: 1,
    // The sandbox opts in to restarting stalled lanes (its stop command is the sandbox's own).
    restart_stalled: true,
    ...rest,
    lanes: {
      start_command: [
        process.execPath,
        fleetctl,
        '--root',
        '{root}',
        'lane-start',
        '--lane',
        '{lane}',
      ],
      stop_command: [
        process.execPath,
        fleetctl,
        '--root',
        '{root}',
        'lane-stop',
        '--lane',
        '{lane}',
      ],
      stop_timeout_sec: 5,
      ensure_command: [process.execPath, fleetctl, '--root', '{root}', 'lanes-ensure', '--json'],
      command_timeout_sec: 10,
      ...laneOverrides,
    },
  };
}

export function laneDir(root: string, id: string): string {
  return path.join(root, RUNTIME_DIR, id);
}

export function writePauseFlag(root: string, id: string, text: string, ageSec: number): void {
  const dir = laneDir(root, id);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'paused.flag');
  writeFileSync(file, text);
  const at = new Date(Date.now() - ageSec * 1000);
  utimesSync(file, at, at);
}

function laneObject(lane: SandboxLane): unknown {
  if (lane.raw !== undefined) return lane.raw;
  const env: Record<string, string> = {};
  if (lane.urls && lane.urls.length > 0) env.ORXAQ_LOCAL_OPENAI_BASE_URLS = lane.urls.join(',');
  if (lane.localOnly !== false) env.ORXAQ_AUTONOMY_LOCAL_ONLY = '1';
  return {
    id: lane.id,
    enabled: lane.enabled ?? true,
    owner: lane.owner ?? 'sandbox',
    tasks_file: `artifacts/tasks/${lane.id}.json`,
    continuous: lane.continuous ?? false,
    env,
    ...(lane.sandbox ? { sandbox: lane.sandbox } : {}),
    ...lane.extra,
  };
}

function writeLaneFiles(root: string, lane: SandboxLane): void {
  if (lane.raw !== undefined) return;
  const tasks: Array<{ id: string }> = [];
  const state: Record<string, { status: string }> = {};
  for (let i = 0; i < (lane.pending ?? 0); i++) tasks.push({ id: `${lane.id}-task-${i + 1}` });
  for (const [status, n] of Object.entries(lane.states ?? {})) {
    for (let i = 0; i < (n ?? 0); i++) {
      const id = `${lane.id}-${status}-${i + 1}`;
      tasks.push({ id });
      state[id] = { status };
    }
  }
  atomicWriteJson(path.join(root, 'artifacts/tasks', `${lane.id}.json`), tasks);
  const dir = laneDir(root, lane.id);
  mkdirSync(dir, { recursive: true });
  if (Object.keys(state).length > 0) atomicWriteJson(path.join(dir, 'state.json'), state);
  if (lane.queued) {
    const lines = Array.from({ length: lane.queued }, (_, i) =>
      JSON.stringify({ id: `${lane.id}-q-${i + 1}`, lane: lane.id }),
    );
    writeFileSync(path.join(dir, 'task_queue.ndjson'), `${lines.join('\n')}\n`);
  }
  if (lane.pause) writePauseFlag(root, lane.id, lane.pause.text, lane.pause.ageSec);
}

/** Write a complete fleet root. Returns the root. */
export function buildSandboxRoot(root: string, spec: SandboxRootSpec): string {
  mkdirSync(path.join(root, 'config'), { recursive: true });
  atomicWriteJson(
    path.join(root, 'config/local_model_idle_guard.json'),
    sandboxGuardConfig(spec.guard),
  );
  atomicWriteJson(path.join(root, 'config/local_model_fleet.json'), {
    ...spec.fleetExtra,
    endpoints: spec.endpoints,
  });
  atomicWriteJson(path.join(root, LANES_FILE), { version: 1, lanes: spec.lanes.map(laneObject) });
  for (const lane of spec.lanes) writeLaneFiles(root, lane);
  mkdirSync(path.join(root, RUNTIME_DIR), { recursive: true });
  return root;
}
