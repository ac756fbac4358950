import path from 'node:path';
import { laneSpecSchema, wellFormedLaneSpec, type LaneSpec } from '../config/lanes-schema.js';
import {
  type LaneReadError,
  type LaneSnapshot,
  type PauseInfo,
  type WorkCounts,
} from '../domain/types.js';
import { TimeSlicer } from '../util/slice.js';
import {
  laneEndpointUrls,
  truthy,
  type LaneAdapter,
  type LaneRead,
  type LaneReadOptions,
} from './adapter.js';
import { FileCache, FileGroup, type FileRead, type Parser } from './file-cache.js';
import { CLAIMED, HEARTBEAT, PAUSE, PID, QUEUE, STATES, TASKS } from './lane-parsers.js';
import { PAUSE_FLAG, unreadablePause } from './pause-files.js';
import type { PauseFlagContent } from './pause-rules.js';
import { laneFiles, laneRuntimeDir, type LaneFiles } from './paths.js';
import { evaluatePause } from './pause-rules.js';
import { snapshot, type ProcessSnapshot } from '../process/index.js';
import { laneRunning } from './running.js';
import { countWork } from './work.js';
import { parseJson as parseJsonSafe } from '../util/json.js';

export interface OrxaqOptions {
  root: string;
  lanesFile: string;
  runtimeDir: string;
  cmdlinePattern?: string;
  staleManualPauseSec: number;
  /** Real wall clock for the file cache (file timestamps are wall time, whatever clock the cycle uses). */
  wallMs?: () => number;
  /** Told of each directory the lane read lists, with the names in it (file-cache.ts). */
  onListing?: (dir: string, names: readonly string[]) => void;
}

/** A lane's files, with the pause flag's path resolved once too. */
type ListedFiles = LaneFiles & { pauseFile: string };

/** What a lane's files said when they were last read: reused while none of them changes. */
type LaneFacts =
  | {
      pid: number | null;
      pause: FileRead<PauseFlagContent>;
      work: WorkCounts;
      heartbeat: FileRead<number | null>;
    }
  | { error: string };

/** One entry of lanes.json, validated: a lane to read (its files read as one group), or an error row. */
type ListedLane =
  | {
      spec: LaneSpec;
      files: ListedFiles;
      /** Shared by every snapshot of the lane (frozen: nobody changes it). */
      urls: string[];
      localOnly: boolean;
      group: FileGroup;
      facts: LaneFacts | null;
    }
  | { error: LaneReadError };

const lanesListParser = (display: string): Parser<unknown[]> => ({
  name: 'lanes',
  parse: (text) => {
    let json: unknown;
    try {
      json = parseJsonSafe(text);
    } catch (err) {
      throw new Error(`${display}: not valid JSON (${(err as Error).message})`);
    }
    const list = Array.isArray(json) ? json : (json as { lanes?: unknown })?.lanes;
    if (!Array.isArray(list))
      throw new Error(`${display}: expected {"version":1,"lanes":[...]} or a list of lanes`);
    return list;
  },
});

function heartbeatAgeSec(read: FileRead<number | null>, now: Date): number | null {
  if (read.state !== 'present') return null;
  return Math.max(0, Math.round((now.getTime() - (read.value ?? read.mtimeMs)) / 1000));
}

/**
 * Lanes of the orxaq layout: config/lanes.json plus artifacts/autonomy/lanes/<id>/. Reads are
 * incremental (a file is re-read only when it changed, see file-cache.ts) and sliced, so a cycle over
 * 10,000 lanes never holds the event loop for more than a few milliseconds.
 */
export class OrxaqAdapter implements LaneAdapter {
  readonly source = 'orxaq' as const;
  private readonly cache: FileCache;
  private readonly lanesParser: Parser<unknown[]>;
  private listed: { version: number; lanes: ListedLane[] } | null = null;
  private readonly workMemo = new Map<string, { versions: number[]; work: WorkCounts }>();
  /** Reads share one cache pass at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: OrxaqOptions) {
    this.cache = new FileCache({ wallMs: options.wallMs, onListing: options.onListing });
    this.lanesParser = lanesListParser(
      path.relative(options.root, options.lanesFile) || options.lanesFile,
    );
  }

  /** Stats, reads and passes of the file cache (tests and the benchmark look at them). */
  get counters(): FileCache['counters'] {
    return this.cache.counters;
  }

  laneDir(laneId: string): string {
    return laneRuntimeDir(this.options.runtimeDir, laneId);
  }

  read(now: Date, options: LaneReadOptions = {}): Promise<LaneRead> {
    const next = this.queue.then(() => this.readNow(now, options.foreground === true));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async readNow(now: Date, foreground: boolean): Promise<LaneRead> {
    this.cache.beginPass();
    try {
      const listed = this.list();
      if ('error' in listed) return { lanes: [], errors: [listed.error] };
      const lanes: LaneSnapshot[] = [];
      const errors: LaneReadError[] = [];
      const slicer = new TimeSlicer({ foreground });
      // One look at the process table for every lane (for ps: one call, made at the first pid).
      const processes = snapshot();
      for (const lane of listed) {
        if ('error' in lane) errors.push(lane.error);
        else {
          // A lane none of whose files changed is not read again: what they said still holds.
          if (lane.facts === null || !this.cache.skip(lane.group)) {
            this.cache.beginGroup(lane.group);
            try {
              lane.facts = this.readFacts(lane.spec, lane.files);
            } catch (err) {
              lane.facts = { error: (err as Error).message };
            } finally {
              this.cache.endGroup(lane.group);
            }
          }
          try {
            if ('error' in lane.facts) throw new Error(lane.facts.error);
            lanes.push(this.snapshot(lane, lane.facts, now, processes));
          } catch (err) {
            errors.push({ id: lane.spec.id, source: 'lane_read', error: (err as Error).message });
          }
        }
        if (slicer.due) await slicer.tick();
      }
      return { lanes, errors };
    } finally {
      this.cache.endPass();
    }
  }

  /** The validated lane list; validated again only when lanes.json changed. */
  private list(): ListedLane[] | { error: LaneReadError } {
    const { lanesFile, root } = this.options;
    const read = this.cache.get(lanesFile, this.lanesParser);
    const display = path.relative(root, lanesFile) || lanesFile;
    if (read.state === 'absent')
      return {
        error: {
          id: '*',
          source: 'lanes_file',
          error: `${display}: cannot read (ENOENT); create it or set lanes.lanes_file`,
        },
      };
    if (read.state === 'error') {
      const message = read.error.startsWith(display) ? read.error : `${display}: ${read.error}`;
      return { error: { id: '*', source: 'lanes_file', error: message } };
    }
    if (this.listed?.version !== read.version) {
      this.listed = { version: read.version, lanes: this.validate(read.value) };
      const ids = new Set(this.listed.lanes.flatMap((l) => ('spec' in l ? [l.spec.id] : [])));
      for (const id of this.workMemo.keys()) if (!ids.has(id)) this.workMemo.delete(id);
    }
    return this.listed.lanes;
  }

  private validate(specs: unknown[]): ListedLane[] {
    const seen = new Set<string>();
    return specs.map((raw, index): ListedLane => {
      let spec = wellFormedLaneSpec(raw);
      if (spec === null) {
        const parsed = laneSpecSchema.safeParse(raw);
        if (!parsed.success) {
          const rawId = (raw as { id?: unknown })?.id;
          const label = typeof rawId === 'string' ? rawId : `lanes[${index}]`;
          const issue = parsed.error.issues[0];
          const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
          return {
            error: {
              id: label,
              source: 'lanes_file',
              error: `lanes[${index}] ${where}${issue?.message ?? 'invalid'}`,
            },
          };
        }
        spec = parsed.data;
      }
      if (seen.has(spec.id))
        return {
          error: { id: spec.id, source: 'lanes_file', error: `lanes[${index}]: duplicate lane id` },
        };
      seen.add(spec.id);
      try {
        const files = laneFiles(spec, this.options.root, this.options.runtimeDir);
        return {
          spec,
          files: { ...files, pauseFile: `${files.dir}${path.sep}${PAUSE_FLAG}` },
          urls: Object.freeze(laneEndpointUrls(spec.env)) as string[],
          localOnly: truthy(spec.env.ORXAQ_AUTONOMY_LOCAL_ONLY),
          group: new FileGroup(),
          facts: null,
        };
      } catch (err) {
        return { error: { id: spec.id, source: 'lane_read', error: (err as Error).message } };
      }
    });
  }

  private pause(read: FileRead<PauseFlagContent>, now: Date): PauseInfo | null {
    if (read.state === 'absent') return null;
    // A flag that cannot be read is kept: it counts as held, with the reason shown.
    if (read.state === 'error') return unreadablePause(read.error);
    return evaluatePause(
      read.value,
      (now.getTime() - read.mtimeMs) / 1000,
      now,
      this.options.staleManualPauseSec,
    );
  }

  /** Work counts, counted again only when one of the lane's work files changed. */
  private work(spec: LaneSpec, files: ListedFiles): WorkCounts {
    const tasks = files.tasksFile ? this.cache.get(files.tasksFile, TASKS) : null;
    const states = this.cache.get(files.stateFile, STATES);
    const queue = this.cache.get(files.queueFile, QUEUE);
    const claimed = this.cache.get(files.claimedFile, CLAIMED);
    // Versions identify the parsed values; 0 = no file. An unreadable file has a version too, and throws below.
    const versions = [
      tasks && tasks.state !== 'absent' ? tasks.version : 0,
      states.state !== 'absent' ? states.version : 0,
      queue.state !== 'absent' ? queue.version : 0,
      claimed.state !== 'absent' ? claimed.version : 0,
    ];
    const memo = this.workMemo.get(spec.id);
    if (memo && memo.versions.every((v, i) => v === versions[i])) return memo.work;
    const value = <T>(read: FileRead<T>): T | null => {
      if (read.state === 'error') throw new Error(read.error);
      return read.state === 'present' ? read.value : null;
    };
    const work = countWork(
      {
        taskIds: tasks ? value(tasks) : null,
        states: value(states),
        queue: value(queue),
        claimed: value(claimed),
      },
      spec.id,
      spec.owner,
    );
    Object.freeze(work);
    this.workMemo.set(spec.id, { versions, work });
    return work;
  }

  /** Read a lane's files (throws when a work file is unreadable). */
  private readFacts(spec: LaneSpec, files: ListedFiles): LaneFacts {
    const pidRead = this.cache.get(files.pidFile, PID);
    return {
      pid: pidRead.state === 'present' ? pidRead.value : null,
      pause: this.cache.get(files.pauseFile, PAUSE),
      work: this.work(spec, files),
      heartbeat: this.cache.get(files.heartbeatFile, HEARTBEAT),
    };
  }

  /** The lane now: what its files said, with ages from the clock and liveness from the process table. */
  private snapshot(
    lane: Extract<ListedLane, { spec: LaneSpec }>,
    facts: Exclude<LaneFacts, { error: string }>,
    now: Date,
    processes: ProcessSnapshot,
  ): LaneSnapshot {
    const { spec, urls } = lane;
    const pause = this.pause(facts.pause, now);
    return {
      id: spec.id,
      enabled: spec.enabled,
      owner: spec.owner,
      local: urls.length > 0,
      localOnly: lane.localOnly,
      endpointUrls: urls,
      running: laneRunning(facts.pid, spec.id, this.options.cmdlinePattern, processes),
      pid: facts.pid,
      paused: pause !== null,
      pause,
      // The same counts while the lane's work files do not change (frozen: nobody changes them).
      work: facts.work,
      heartbeatAgeSec: heartbeatAgeSec(facts.heartbeat, now),
    };
  }
}
