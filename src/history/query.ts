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

/** Events across the current and rotated files, oldest first; `limit` keeps the newest. */
export function queryHistory(file: string, keepFiles: number, filter: HistoryFilter = {}): HistoryQueryResult {
  const events: HistoryEvent[] = [];
  let skippedLines = 0;
  for (const f of historyFiles(file, keepFiles)) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        skippedLines++;
        continue;
      }
      const event = parsed as HistoryEvent;
      if (!event || typeof event !== 'object' || typeof event.type !== 'string' || typeof event.ts !== 'string') {
        skippedLines++;
        continue;
      }
      if (matches(event, filter)) events.push(event);
    }
  }
  const limited = filter.limit !== undefined && events.length > filter.limit ? events.slice(-filter.limit) : events;
  return { events: limited, skippedLines };
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
