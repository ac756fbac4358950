// The size cap of one history event. Alert labels, error messages and command output can be
// anything a peer sends; a history line never grows past a few KiB because of them.

/** Longest string kept whole; longer ones are cut and say how long they were. */
export const MAX_STRING_CHARS = 1024;
/** Longest object key kept whole (keys can come from alert labels too). */
export const MAX_KEY_CHARS = 128;
/** Largest serialised event; above it only the identifying fields are kept. */
export const MAX_EVENT_BYTES = 64 * 1024;

const KEEP_WHEN_TRUNCATED = ['ts', 'type', 'cycle_id', 'lane', 'trigger', 'reason'];

function cutString(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}… [cut, ${value.length} chars]` : value;
}

function capValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return cutString(value, MAX_STRING_CHARS);
  if (value === null || typeof value !== 'object') return value;
  // Events are shallow; anything nested deeper than this is summarised rather than walked.
  if (depth > 8) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((v) => capValue(v, depth + 1));
  // No prototype: a key named `__proto__` stays a plain key instead of replacing the prototype.
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(value))
    out[cutString(k, MAX_KEY_CHARS)] = capValue(v, depth + 1);
  return out;
}

/**
 * One NDJSON line for an event, within the caps: long strings and keys are cut (with their original
 * length), and an event still larger than MAX_EVENT_BYTES keeps only its identifying fields plus
 * `truncated_bytes`.
 */
export function cappedLine(event: Record<string, unknown>): string {
  const line = JSON.stringify(capValue(event, 0));
  if (Buffer.byteLength(line) <= MAX_EVENT_BYTES) return `${line}\n`;
  const kept: Record<string, unknown> = {};
  for (const key of KEEP_WHEN_TRUNCATED) {
    const v = event[key];
    if (v !== undefined) kept[key] = typeof v === 'string' ? cutString(v, MAX_KEY_CHARS) : v;
  }
  kept.truncated_bytes = Buffer.byteLength(line);
  return `${JSON.stringify(kept)}\n`;
}
