// Small text helpers of the status page. Everything returned here is still plain text: callers escape.

/** 42s, 7m, 3.5h, 2.1d; `-` when unknown. */
export function formatAge(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '-';
  const s = Math.max(0, sec);
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)}h`;
  return `${(s / 86_400).toFixed(1)}d`;
}

/** Seconds from an ISO time to now, or null when the time does not parse. */
export function secondsSince(iso: string | null | undefined, now: Date): number | null {
  if (!iso) return null;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? null : (now.getTime() - at) / 1000;
}

/** `HH:MM:SSZ` of an ISO time (the date too when it is not today's). */
export function clockTime(iso: string, now: Date): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const full = at.toISOString();
  const sameDay = full.slice(0, 10) === now.toISOString().slice(0, 10);
  return sameDay ? `${full.slice(11, 19)}Z` : `${full.slice(0, 10)} ${full.slice(11, 19)}Z`;
}

/** C0 controls but tab, newline and carriage return, and DEL. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Control characters as visible `\uXXXX` text: a browser drops a NUL or shows U+FFFD, hiding it. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** At most `max` characters, one line. */
export function shorten(text: string, max: number): string {
  // Line breaks and tabs become spaces; other controls (NUL, ESC…) are shown escaped, not hidden.
  const flat = escapeControls(text.replace(/[\t\n\r]+/g, ' ')).trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The fields of a history event other than the ones shown in their own columns, as `key=value`. */
export function eventDetails(event: Record<string, unknown>, max = 220): string {
  const shownElsewhere = new Set(['ts', 'type', 'cycle_id', 'lane']);
  const text = Object.entries(event)
    .filter(([k, v]) => !shownElsewhere.has(k) && v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return shorten(text, max);
}
