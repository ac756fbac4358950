import type { PauseInfo } from '../domain/types.js';

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
      const json = JSON.parse(trimmed) as Record<string, unknown>;
      if (json && typeof json === 'object' && !Array.isArray(json)) {
        const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
        return {
          text,
          json: true,
          reason: str(json.reason),
          by: str(json.by),
          at: str(json.at),
          until: str(json.until),
          hold: json.hold === true || json.hold === 'true',
        };
      }
    } catch {
      // Not JSON after all: it is free text.
    }
  }
  return { text, json: false };
}

/** The words the manual / hold rules read: the free text, or a JSON flag's reason and author. */
function judgedText(flag: PauseFlagContent): string {
  return flag.json ? [flag.reason ?? '', flag.by ?? ''].join(' ') : flag.text;
}

/** A short, single-line description for tables and events. */
export function pauseMessage(flag: PauseFlagContent): string {
  const parts = [flag.reason, flag.by ? `by ${flag.by}` : undefined, flag.until ? `until ${flag.until}` : undefined];
  const structured = parts.filter(Boolean).join(' ');
  const message = flag.reason !== undefined || flag.by !== undefined ? structured : flag.text.trim();
  return message.replace(/\s+/g, ' ').slice(0, 200);
}

/**
 * Manual: the text says "manual" (any case) or is empty. Held: JSON hold, the word "hold", or an
 * `until` in the future (an unreadable `until` holds too: when in doubt, keep the operator's pause).
 * Stale: manual, not held, and at least `staleAfterSec` old. Only stale pauses are auto-cleared.
 */
export function evaluatePause(flag: PauseFlagContent, ageSec: number, now: Date, staleAfterSec: number): PauseInfo {
  const words = judgedText(flag);
  const manual = words.trim() === '' || /manual/i.test(words);
  let held = flag.hold === true || /\bhold\b/i.test(words);
  if (flag.until !== undefined) {
    const until = Date.parse(flag.until);
    if (Number.isNaN(until) || until > now.getTime()) held = true;
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
