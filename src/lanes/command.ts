import * as z from 'zod';
import { childPath } from '../config/paths.js';
import { isValidLaneId, LANE_ID } from '../config/lanes-schema.js';
import type { LaneReadError, LaneSnapshot } from '../domain/types.js';
import { expandArgv } from '../actions/run.js';
import { runArgv } from '../process/index.js';
import type { LaneAdapter, LaneRead } from './adapter.js';
import { readPause } from './pause-files.js';
import { evaluatePause } from './pause-rules.js';
import { parseJson as parseJsonSafe } from '../util/json.js';

const count = z.number().int().min(0).default(0);

const commandLaneSchema = z.looseObject({
  id: z.string().regex(LANE_ID, 'lane id must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'),
  enabled: z.boolean().default(true),
  local_only: z.boolean().default(false),
  endpoints: z.array(z.string()).default([]),
  running: z.boolean().default(false),
  pid: z.number().int().positive().nullable().default(null),
  paused: z.boolean().default(false),
  pause: z
    .looseObject({
      message: z.string().default(''),
      age_sec: z.number().min(0).default(0),
      hold: z.boolean().default(false),
    })
    .nullable()
    .default(null),
  work: z
    .looseObject({ pending: count, in_progress: count, blocked: count, done: count, queued: count })
    .prefault({}),
  heartbeat_age_sec: z.number().min(0).nullable().default(null),
  owner: z.string().default(''),
});

export interface CommandAdapterOptions {
  root: string;
  runtimeDir: string;
  statusCommand: readonly string[];
  timeoutSec: number;
  staleManualPauseSec: number;
}

/** Lanes reported by the fleet's own status command (`lanes.status_command`). */
export class CommandAdapter implements LaneAdapter {
  readonly source = 'command' as const;
  constructor(private readonly options: CommandAdapterOptions) {}

  laneDir(laneId: string): string {
    if (!isValidLaneId(laneId)) throw new Error(`invalid lane id ${JSON.stringify(laneId)}`);
    return childPath(this.options.runtimeDir, laneId);
  }

  async read(now: Date): Promise<LaneRead> {
    const argv = expandArgv(this.options.statusCommand, { root: this.options.root });
    const result = await runArgv(argv, {
      timeoutMs: this.options.timeoutSec * 1000,
      cwd: this.options.root,
      keepBytes: 8 * 1024 * 1024,
    });
    const fail = (error: string): LaneRead => ({
      lanes: [],
      errors: [{ id: '*', source: 'status_command', error }],
    });
    if (!result.ok)
      return fail(
        `lanes.status_command failed: ${result.error ?? `exit ${result.exitCode}`}; ${result.output.slice(-300)}`,
      );
    let json: unknown;
    try {
      json = parseJsonSafe(result.output);
    } catch (err) {
      return fail(`lanes.status_command printed invalid JSON (${(err as Error).message})`);
    }
    const list = (json as { lanes?: unknown })?.lanes;
    if (!Array.isArray(list)) return fail('lanes.status_command must print {"lanes": [...]}');
    const lanes: LaneSnapshot[] = [];
    const errors: LaneReadError[] = [];
    const seen = new Set<string>();
    list.forEach((raw, index) => {
      const parsed = commandLaneSchema.safeParse(raw);
      if (!parsed.success) {
        const rawId = (raw as { id?: unknown })?.id;
        const issue = parsed.error.issues[0];
        errors.push({
          id: typeof rawId === 'string' ? rawId : `lanes[${index}]`,
          source: 'status_command',
          error: `lanes[${index}] ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
        });
        return;
      }
      const lane = parsed.data;
      // The same lane twice would be decided (and started) twice.
      if (seen.has(lane.id)) {
        errors.push({
          id: lane.id,
          source: 'status_command',
          error: `lanes[${index}]: duplicate lane id`,
        });
        return;
      }
      seen.add(lane.id);
      // laneguard's own pause control (`lanes pause`, the flag in the runtime dir) works for every
      // source: a flag file there wins over what the status command says.
      const flag = readPause(this.laneDir(lane.id), now, this.options.staleManualPauseSec);
      const pause =
        flag ??
        (lane.paused
          ? evaluatePause(
              { text: lane.pause?.message ?? '', json: false, hold: lane.pause?.hold ?? false },
              lane.pause?.age_sec ?? 0,
              now,
              this.options.staleManualPauseSec,
            )
          : null);
      lanes.push({
        id: lane.id,
        enabled: lane.enabled,
        owner: lane.owner,
        local: lane.endpoints.length > 0,
        localOnly: lane.local_only,
        endpointUrls: [...new Set(lane.endpoints)],
        running: lane.running,
        pid: lane.pid,
        paused: pause !== null,
        pause,
        work: {
          pending: lane.work.pending,
          in_progress: lane.work.in_progress,
          blocked: lane.work.blocked,
          done: lane.work.done,
          queued: lane.work.queued,
        },
        heartbeatAgeSec: lane.heartbeat_age_sec,
      });
    });
    return { lanes, errors };
  }
}
