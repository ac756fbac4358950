export { queryHistory, type HistoryFilter, type HistoryQueryResult } from './read.js';

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
