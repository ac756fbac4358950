import { readFileSync } from 'node:fs';
import { historyFiles, type HistoryEvent } from './store.js';

export interface HistoryFilter {
  since?: Date;
  types?: string[];
  lane?: string;
  limit?: number;
}

export interface HistoryQueryResult {
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

function parseEvent(line: string): HistoryEvent | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  const event = parsed as HistoryEvent;
  return event && typeof event === 'object' && typeof event.type === 'string' && typeof event.ts === 'string' ? event : null;
}

/**
 * Events across the current and rotated files, oldest first; `limit` keeps the newest. Files are read
 * newest first, one at a time, and reading stops once `limit` events matched, so a query for the
 * latest events holds at most one file and `limit` events in memory.
 */
export function queryHistory(file: string, keepFiles: number, filter: HistoryFilter = {}): HistoryQueryResult {
  const newestFirst: HistoryEvent[] = [];
  const limit = filter.limit ?? Infinity;
  let skippedLines = 0;
  for (const f of historyFiles(file, keepFiles).reverse()) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    const lines = text.split('\n');
    for (let i = lines.length - 1; i >= 0 && newestFirst.length < limit; i--) {
      const line = lines[i]!;
      if (line.trim() === '') continue;
      const event = parseEvent(line);
      if (event === null) skippedLines++;
      else if (matches(event, filter)) newestFirst.push(event);
    }
    if (newestFirst.length >= limit) break;
  }
  return { events: newestFirst.reverse(), skippedLines };
}

/** `1h`, `30m`, `2d`, `45s` or an ISO timestamp → the instant it names. */
export function parseSince(value: string, now: Date): Date | null {
  const rel = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(value.trim());
  if (rel) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[rel[2] as 's' | 'm' | 'h' | 'd'];
    const at = new Date(now.getTime() - Number(rel[1]) * unit * 1000);
    // Beyond what a Date can hold: an Invalid Date would throw later (toISOString) or match nothing.
    return Number.isNaN(at.getTime()) ? null : at;
  }
  const abs = Date.parse(value);
  return Number.isNaN(abs) ? null : new Date(abs);
}
