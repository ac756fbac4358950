// How each file of a lane is parsed when the file cache (re)reads it. Text in, plain values out.
import { parsePauseFlag, type PauseFlagContent } from './pause-rules.js';
import type { Parser } from './file-cache.js';
import { parseClaimed, parseQueue, parseTaskIds, parseTaskStates, type QueueItem } from './work.js';
import { parseJson as parseJsonSafe } from '../util/json.js';
import { parsePid } from '../process/index.js';

const MAX_FLAG_BYTES = 64 * 1024;

/** `lane.pid`: read as every pid file is (src/process). */
export { parsePid };

/** `heartbeat.json` `{"timestamp": ISO}` → epoch ms; null (use the file's mtime) when unreadable. */
export function parseHeartbeat(text: string): number | null {
  try {
    const json = parseJsonSafe(text) as { timestamp?: unknown } | null;
    if (typeof json?.timestamp === 'string' && !Number.isNaN(Date.parse(json.timestamp)))
      return Date.parse(json.timestamp);
  } catch {
    // A torn heartbeat still has an mtime.
  }
  return null;
}

export const PID: Parser<number | null> = { name: 'pid', parse: parsePid, maxBytes: 64 };
export const HEARTBEAT: Parser<number | null> = {
  name: 'heartbeat',
  parse: parseHeartbeat,
  maxBytes: 64 * 1024,
};
export const PAUSE: Parser<PauseFlagContent> = {
  name: 'pause',
  parse: parsePauseFlag,
  maxBytes: MAX_FLAG_BYTES,
};
export const TASKS: Parser<string[]> = { name: 'tasks', parse: parseTaskIds };
export const STATES: Parser<Map<string, string>> = { name: 'states', parse: parseTaskStates };
export const QUEUE: Parser<QueueItem[]> = { name: 'queue', parse: parseQueue };
export const CLAIMED: Parser<Set<string>> = { name: 'claimed', parse: parseClaimed };
