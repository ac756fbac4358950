import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { laneSpecSchema, type LaneSpec } from '../config/lanes-schema.js';
import { type LaneReadError, type LaneSnapshot } from '../domain/types.js';
import { laneEndpointUrls, truthy, type LaneAdapter, type LaneRead } from './adapter.js';
import { readPause } from './pause-files.js';
import { laneFiles, laneRuntimeDir } from './paths.js';
import { laneRunning, readPidFile } from './running.js';
import { countWork } from './work.js';

export interface OrxaqOptions {
  root: string;
  lanesFile: string;
  runtimeDir: string;
  cmdlinePattern?: string;
  staleManualPauseSec: number;
}

function heartbeatAgeSec(file: string, now: Date): number | null {
  let at: number | null = null;
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { timestamp?: unknown };
    if (typeof json.timestamp === 'string' && !Number.isNaN(Date.parse(json.timestamp))) at = Date.parse(json.timestamp);
  } catch {
    // Fall back to the file's mtime below.
  }
  if (at === null) {
    try {
      at = statSync(file).mtimeMs;
    } catch {
      return null;
    }
  }
  return Math.max(0, Math.round((now.getTime() - at) / 1000));
}

/** Lanes of the orxaq layout: config/lanes.json plus artifacts/autonomy/lanes/<id>/. */
export class OrxaqAdapter implements LaneAdapter {
  readonly source = 'orxaq' as const;
  constructor(private readonly options: OrxaqOptions) {}

  laneDir(laneId: string): string {
    return laneRuntimeDir(this.options.runtimeDir, laneId);
  }

  /** The raw lane list; a missing or unparsable file is a whole-source error. */
  private readSpecs(): unknown[] {
    const display = path.relative(this.options.root, this.options.lanesFile) || this.options.lanesFile;
    let text: string;
    try {
      text = readFileSync(this.options.lanesFile, 'utf8');
    } catch (err) {
      throw new Error(`${display}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)}); create it or set lanes.lanes_file`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new Error(`${display}: not valid JSON (${(err as Error).message})`);
    }
    const list = Array.isArray(json) ? json : (json as { lanes?: unknown })?.lanes;
    if (!Array.isArray(list)) throw new Error(`${display}: expected {"version":1,"lanes":[...]} or a list of lanes`);
    return list;
  }

  async read(now: Date): Promise<LaneRead> {
    const lanes: LaneSnapshot[] = [];
    const errors: LaneReadError[] = [];
    let specs: unknown[];
    try {
      specs = this.readSpecs();
    } catch (err) {
      return { lanes, errors: [{ id: '*', source: 'lanes_file', error: (err as Error).message }] };
    }
    const seen = new Set<string>();
    specs.forEach((raw, index) => {
      const parsed = laneSpecSchema.safeParse(raw);
      const rawId = (raw as { id?: unknown })?.id;
      const label = typeof rawId === 'string' ? rawId : `lanes[${index}]`;
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
        errors.push({ id: label, source: 'lanes_file', error: `lanes[${index}] ${where}${issue?.message ?? 'invalid'}` });
        return;
      }
      if (seen.has(parsed.data.id)) {
        errors.push({ id: parsed.data.id, source: 'lanes_file', error: `lanes[${index}]: duplicate lane id` });
        return;
      }
      seen.add(parsed.data.id);
      try {
        lanes.push(this.snapshot(parsed.data, now));
      } catch (err) {
        errors.push({ id: parsed.data.id, source: 'lane_read', error: (err as Error).message });
      }
    });
    return { lanes, errors };
  }

  private snapshot(spec: LaneSpec, now: Date): LaneSnapshot {
    const files = laneFiles(spec, this.options.root, this.options.runtimeDir);
    const urls = laneEndpointUrls(spec.env);
    const pid = readPidFile(files.pidFile);
    const pause = readPause(files.dir, now, this.options.staleManualPauseSec);
    const work = countWork(files, spec.id, spec.owner);
    return {
      id: spec.id,
      enabled: spec.enabled,
      owner: spec.owner,
      local: urls.length > 0,
      localOnly: truthy(spec.env.ORXAQ_AUTONOMY_LOCAL_ONLY),
      endpointUrls: urls,
      running: laneRunning(pid, spec.id, this.options.cmdlinePattern),
      pid,
      paused: pause !== null,
      pause,
      work,
      heartbeatAgeSec: heartbeatAgeSec(files.heartbeatFile, now),
    };
  }
}
