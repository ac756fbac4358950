// Parsers of a lane's work files (text in, plain values out: the reading is done by the file cache)
// and the count over them. A missing file counts as empty; a file that exists but cannot be parsed
// is an error naming the file.
import { emptyWork, type WorkCounts } from '../domain/types.js';
import { parseJson as parseJsonSafe } from '../util/json.js';

function parseJson(file: string, text: string): unknown {
  try {
    return parseJsonSafe(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message})`);
  }
}

/** Task ids of a tasks file: a list of task objects with `id`, or `{"tasks": [...]}`. */
export function parseTaskIds(text: string, file: string): string[] {
  const json = parseJson(file, text);
  const list = Array.isArray(json) ? json : (json as { tasks?: unknown })?.tasks;
  if (!Array.isArray(list)) throw new Error(`${file} must be a list of tasks or {"tasks": [...]}`);
  const ids: string[] = [];
  for (const task of list) {
    const id = (task as { id?: unknown })?.id;
    if (typeof id === 'string' || typeof id === 'number') ids.push(String(id));
  }
  return ids;
}

/** A lane's `state.json`: `{task_id: {status}}`. */
export function parseTaskStates(text: string, file: string): Map<string, string> {
  const states = new Map<string, string>();
  if (text.trim() === '') return states;
  const json = parseJson(file, text);
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new Error(`${file} must be an object {task_id: {status}}`);
  for (const [id, entry] of Object.entries(json)) {
    const status = (entry as { status?: unknown })?.status;
    if (typeof status === 'string') states.set(id, status);
  }
  return states;
}

export interface QueueItem {
  id: string;
  lane?: string;
  owner?: string;
}

/** Queue items, from NDJSON (one item a line) or a JSON list. Bad lines are skipped. */
export function parseQueue(text: string, file: string): QueueItem[] {
  const raw: unknown[] = [];
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const json = parseJson(file, trimmed);
    if (Array.isArray(json)) raw.push(...json);
  } else {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        raw.push(parseJsonSafe(line));
      } catch {
        // A torn queue line is one lost item, not an unreadable lane.
      }
    }
  }
  const items: QueueItem[] = [];
  for (const entry of raw) {
    const e = entry as Record<string, unknown>;
    const id = e?.id ?? e?.task_id;
    if (typeof id !== 'string' && typeof id !== 'number') continue;
    items.push({
      id: String(id),
      lane: typeof e.lane === 'string' ? e.lane : undefined,
      owner: typeof e.owner === 'string' ? e.owner : undefined,
    });
  }
  return items;
}

/** Claimed queue ids: a list of ids, `{"claimed": [...] | {id: …}}`, or `{id: …}`. */
export function parseClaimed(text: string, file: string): Set<string> {
  if (text.trim() === '') return new Set();
  const json = parseJson(file, text);
  const source = (json as { claimed?: unknown })?.claimed ?? json;
  if (Array.isArray(source))
    return new Set(source.map((v) => String((v as { id?: unknown })?.id ?? v)));
  if (source && typeof source === 'object') return new Set(Object.keys(source));
  return new Set();
}

/** The parsed work files of one lane; null = the file does not exist. */
export interface WorkInputs {
  taskIds: readonly string[] | null;
  states: ReadonlyMap<string, string> | null;
  queue: readonly QueueItem[] | null;
  claimed: ReadonlySet<string> | null;
}

/** Work counts of one lane from its parsed files. */
export function countWork(inputs: WorkInputs, laneId: string, owner: string): WorkCounts {
  const work = emptyWork();
  const states = inputs.states ?? new Map<string, string>();
  const seen = new Set<string>();
  for (const id of inputs.taskIds ?? []) {
    seen.add(id);
    const status = states.get(id) ?? 'pending';
    if (
      status === 'pending' ||
      status === 'in_progress' ||
      status === 'blocked' ||
      status === 'done'
    )
      work[status]++;
  }
  // Tasks recorded in state.json but not (or no longer) in the tasks file still show their status.
  for (const [id, status] of states) {
    if (seen.has(id)) continue;
    if (status === 'in_progress' || status === 'blocked' || status === 'done') work[status]++;
  }
  const claimed = inputs.claimed ?? new Set<string>();
  for (const item of inputs.queue ?? []) {
    if (claimed.has(item.id)) continue;
    const unowned = item.lane === undefined && item.owner === undefined;
    if (unowned || item.lane === laneId || (owner !== '' && item.owner === owner)) work.queued++;
  }
  return work;
}
