// The one history reader: one line parser and one backward, chunked, asynchronous scan of the
// current and rotated files, used by `laneguard history`, `GET /api/v1/history`, the status page
// and `demo`'s follower. Reading never blocks the daemon for more than one chunk, and never holds
// more than one chunk, one line and the events asked for in memory.
import { open } from 'node:fs/promises';
import { historyFiles, type HistoryEvent } from './store.js';
import { parseJson as parseJsonSafe } from '../util/json.js';

const CHUNK_BYTES = 64 * 1024;
/** A line longer than this is not one laneguard wrote (events are capped far below): skipped unread. */
export const MAX_LINE_BYTES = 1024 * 1024;

/** One NDJSON line → an event (an object with string `ts` and `type`), or null for anything else. */
export function parseEventLine(line: string): HistoryEvent | null {
  if (line.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = parseJsonSafe(line);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const event = parsed as HistoryEvent;
  return typeof event.type === 'string' && typeof event.ts === 'string' ? event : null;
}

export interface RawLine {
  /** The line's text, or null when it was longer than MAX_LINE_BYTES (not read). */
  text: string | null;
  /** Bytes the line takes in the file, its newline included. */
  bytes: number;
}

/** Lines of one file, last first. The text after the last newline (a torn tail) comes first. */
async function* fileLinesBackward(file: string): AsyncGenerator<RawLine> {
  const handle = await open(file, 'r');
  try {
    let pos = (await handle.stat()).size;
    let carry = Buffer.alloc(0);
    let carryBytes = 0;
    let oversized = false;
    let newlineAfter = false;
    while (pos > 0) {
      const start = Math.max(0, pos - CHUNK_BYTES);
      const buf = Buffer.alloc(pos - start);
      const { bytesRead } = await handle.read(buf, 0, buf.length, start);
      pos = start;
      const data = oversized
        ? buf.subarray(0, bytesRead)
        : Buffer.concat([buf.subarray(0, bytesRead), carry]);
      let end = data.length;
      let nl = end > 0 ? data.lastIndexOf(0x0a, end - 1) : -1;
      while (nl >= 0) {
        const seg = data.subarray(nl + 1, end);
        const bytes = (oversized ? carryBytes + seg.length : seg.length) + (newlineAfter ? 1 : 0);
        yield { text: oversized ? null : seg.toString('utf8'), bytes };
        oversized = false;
        carryBytes = 0;
        newlineAfter = true;
        end = nl;
        nl = end > 0 ? data.lastIndexOf(0x0a, end - 1) : -1;
      }
      carryBytes = (oversized ? carryBytes : 0) + end;
      carry = data.subarray(0, end);
      if (carryBytes > MAX_LINE_BYTES) {
        oversized = true;
        carry = Buffer.alloc(0);
      }
    }
    if (carryBytes > 0 || carry.length > 0)
      yield {
        text: oversized ? null : carry.toString('utf8'),
        bytes: carryBytes + (newlineAfter ? 1 : 0),
      };
  } finally {
    await handle.close();
  }
}

/** Lines of a history, newest first, across the current file and then the rotated ones. */
export async function* historyLinesNewestFirst(
  file: string,
  keepFiles: number,
): AsyncGenerator<RawLine> {
  for (const f of historyFiles(file, keepFiles).reverse()) {
    try {
      yield* fileLinesBackward(f);
    } catch (err) {
      // Rotated away between the listing and the open: the next file still holds the rest.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

export interface HistoryFilter {
  since?: Date;
  types?: string[];
  lane?: string;
  limit?: number;
  /** Stop after reading this many bytes (newest first); lines the budget cuts are not read. */
  maxBytes?: number;
}

export interface HistoryQueryResult {
  /** Oldest first. */
  events: HistoryEvent[];
  /** Lines that were not valid events (skipped, never fatal). */
  skippedLines: number;
}

function matches(event: HistoryEvent, filter: HistoryFilter): boolean {
  if (filter.types && filter.types.length > 0 && !filter.types.includes(event.type)) return false;
  if (filter.lane !== undefined && event.lane !== filter.lane) return false;
  if (filter.since) {
    const ts = Date.parse(event.ts);
    if (!(ts >= filter.since.getTime())) return false;
  }
  return true;
}

/** The newest matching events (at most `limit`, within `maxBytes` of reading), oldest first. */
export async function queryHistory(
  file: string,
  keepFiles: number,
  filter: HistoryFilter = {},
): Promise<HistoryQueryResult> {
  const newestFirst: HistoryEvent[] = [];
  const limit = filter.limit ?? Infinity;
  let budget = filter.maxBytes ?? Infinity;
  let skippedLines = 0;
  if (limit <= 0) return { events: [], skippedLines };
  for await (const line of historyLinesNewestFirst(file, keepFiles)) {
    if (line.bytes > budget) break;
    budget -= line.bytes;
    if (line.text === null) {
      skippedLines++;
      continue;
    }
    if (line.text.trim() === '') continue;
    const event = parseEventLine(line.text);
    if (event === null) skippedLines++;
    else if (matches(event, filter)) {
      newestFirst.push(event);
      if (newestFirst.length >= limit) break;
    }
  }
  return { events: newestFirst.reverse(), skippedLines };
}
