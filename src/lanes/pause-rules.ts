import type { PauseInfo } from '../domain/types.js';
import { parseJson as parseJsonSafe } from '../util/json.js';

/** Content of a pause flag: free text, or JSON {reason, by, at, until, hold}. */
export interface PauseFlagContent {
  text: string;
  json: boolean;
  reason?: string;
  by?: string;
  at?: string;
  until?: string;
  hold?: boolean;
}

export function parsePauseFlag(text: string): PauseFlagContent {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const json = parseJsonSafe(trimmed) as Record<string, unknown>;
      if (json && typeof json === 'object' && !Array.isArray(json)) {
        const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
        return {
          text,
          json: true,
          reason: str(json.reason),
          by: str(json.by),
          at: str(json.at),
          // A non-string `until` (an epoch number, an object) is kept as unreadable: it must hold, not vanish.
          until:
            json.until === undefined || json.until === null
              ? undefined
              : typeof json.until === 'string'
                ? json.until
                : JSON.stringify(json.until),
          hold: json.hold === true || json.hold === 'true',
        };
      }
    } catch {
      // Not JSON after all: it is free text.
    }
  }
  return { text, json: false };
}

// ISO 8601 date or date-time (space or T, optional seconds, fraction and offset). Anything else is
// refused: the engine's lenient Date.parse reads "June 5" or "next week 3" as dates in 2001.
const ISO_TIME =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

/** Epoch ms of a pause's `until` when it is an ISO 8601 time; null when it cannot be read. */
export function parseUntil(value: string): number | null {
  const text = value.trim();
  if (!ISO_TIME.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/** The words the manual / hold rules read: the free text, or a JSON flag's reason and author. */
function judgedText(flag: PauseFlagContent): string {
  return flag.json ? [flag.reason ?? '', flag.by ?? ''].join(' ') : flag.text;
}

/** A short, single-line description for tables and events. */
export function pauseMessage(flag: PauseFlagContent): string {
  const parts = [
    flag.reason,
    flag.by ? `by ${flag.by}` : undefined,
    flag.until ? `until ${flag.until}` : undefined,
  ];
  const structured = parts.filter(Boolean).join(' ');
  const message =
    flag.reason !== undefined || flag.by !== undefined ? structured : flag.text.trim();
  return message.replace(/\s+/g, ' ').slice(0, 200);
}

/**
 * Manual: the text says "manual" (any case) or is empty. Held: JSON hold, the word "hold", or an
 * `until` in the future (an unreadable `until` holds too: when in doubt, keep the operator's pause).
 * Stale: manual, not held, and at least `staleAfterSec` old. Only stale pauses are auto-cleared.
 */
export function evaluatePause(
  flag: PauseFlagContent,
  ageSec: number,
  now: Date,
  staleAfterSec: number,
): PauseInfo {
  const words = judgedText(flag);
  const manual = words.trim() === '' || /manual/i.test(words);
  let held = flag.hold === true || /\bhold\b/i.test(words);
  if (flag.until !== undefined) {
    const until = parseUntil(flag.until);
    if (until === null || until > now.getTime()) held = true;
  }
  const age = Math.max(0, ageSec);
  return {
    message: pauseMessage(flag),
    ageSec: Math.round(age),
    manual,
    held,
    stale: manual && !held && age >= staleAfterSec,
  };
}

/**
 * Whether `lanes pause` may replace an existing pause. A held pause (an operator hold, a future or
 * unreadable `until`, an unreadable flag) is replaced only by a permanent hold or with `force`: a
 * plain or time-limited pause in its place would let the guard clear what an operator meant to keep.
 * Returns null when the replacement is allowed, or why it is refused.
 */
export function pauseReplacementRefusal(
  existing: PauseInfo | null,
  next: { hold: boolean; force: boolean },
): string | null {
  if (existing === null || !existing.held || next.hold || next.force) return null;
  return `it is held (${existing.message || 'held'}); a new pause without --hold would let the guard clear it: pass --hold to keep it held, or --force to replace it anyway`;
}
