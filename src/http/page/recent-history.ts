// The newest history events for the status page, read from the tail of the files: a page load costs
// at most `maxBytes` of reading however large the history has grown.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { historyFiles, type HistoryEvent } from '../../history/store.js';

export interface RecentHistory {
  /** Oldest first. */
  events: HistoryEvent[];
  /** Why the history could not be read (shown on the page), or null. */
  error: string | null;
}

/**
 * The last `budget` bytes of a file as text. When that is not the whole file, one byte more is read
 * and everything up to the first newline dropped: a line the cut went through is never parsed, and
 * one that starts right at the cut is kept.
 */
function readTail(file: string, budget: number): { lines: string[]; bytes: number } {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const whole = size <= budget;
    const length = whole ? size : budget + 1;
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const lines = buf.toString('utf8').split('\n');
    if (!whole) lines.shift();
    return { lines, bytes: Math.min(size, budget) };
  } finally {
    closeSync(fd);
  }
}

function parseLines(lines: readonly string[]): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    try {
      const e = JSON.parse(line) as HistoryEvent;
      if (e && typeof e === 'object' && typeof e.type === 'string' && typeof e.ts === 'string') events.push(e);
    } catch {
      // A torn or foreign line: skipped, as `history` does.
    }
  }
  return events;
}

/** Newest files first until the byte budget is spent; rotated files only when the current one is short. */
export function readRecentHistory(file: string, keepFiles: number, maxBytes = 512 * 1024): RecentHistory {
  const chunks: HistoryEvent[][] = [];
  let budget = maxBytes;
  try {
    for (const f of historyFiles(file, keepFiles).reverse()) {
      if (budget <= 0) break;
      const { lines, bytes } = readTail(f, budget);
      budget -= bytes;
      chunks.unshift(parseLines(lines));
    }
    return { events: chunks.flat(), error: null };
  } catch (err) {
    return { events: chunks.flat(), error: `history unreadable: ${(err as Error).message}` };
  }
}
