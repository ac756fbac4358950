// laneguard's JSON files as text: two-space indent and one newline at the end.
//
// The daemon's report and state name every lane (1-2 MB at 10,000 lanes): one JSON.stringify of
// them holds the event loop for tens of milliseconds on a busy machine. `jsonFileTextSliced` gives
// the same text, a few hundred entries of a large member at a time, handing the loop back between.
import { TimeSlicer } from '../util/slice.js';

export function jsonFileText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Members with more entries than this are written a chunk at a time. */
const CHUNK = 500;

function isPlain(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return (
    (proto === Object.prototype || proto === null || Array.isArray(value)) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
}

/** Text nested one level deeper: two more spaces after every line break. */
const deeper = (text: string): string => text.replaceAll('\n', '\n  ');

/** A top-level member's text (as nested one level deep), a chunk at a time when it is large. */
async function memberText(value: unknown, slicer: TimeSlicer): Promise<string | undefined> {
  const isArray = Array.isArray(value);
  const plain = isPlain(value);
  const keys = plain && !isArray ? Object.keys(value) : null;
  const size = isArray ? (value as unknown[]).length : (keys?.length ?? 0);
  if (!plain || size <= CHUNK) {
    const text = JSON.stringify(value, null, 2) as string | undefined;
    return text === undefined ? undefined : deeper(text);
  }
  const bodies: string[] = [];
  for (let from = 0; from < size; from += CHUNK) {
    let chunk: unknown;
    if (isArray) chunk = (value as unknown[]).slice(from, from + CHUNK);
    else {
      const part: Record<string, unknown> = {};
      for (const key of keys!.slice(from, from + CHUNK))
        part[key] = (value as Record<string, unknown>)[key];
      chunk = part;
    }
    const text = JSON.stringify(chunk, null, 2);
    // `{}`: every value in the chunk was one JSON leaves out.
    if (text.length > 2) bodies.push(`  ${deeper(text.slice(2, -2))}`);
    await slicer.tick();
  }
  if (bodies.length === 0) return isArray ? '[]' : '{}';
  return isArray ? `[\n${bodies.join(',\n')}\n  ]` : `{\n${bodies.join(',\n')}\n  }`;
}

/** The same text as `jsonFileText`, without holding the event loop for a large value. */
export async function jsonFileTextSliced(
  value: unknown,
  slicer = new TimeSlicer(),
): Promise<string> {
  if (!isPlain(value) || Array.isArray(value)) return jsonFileText(value);
  const parts: string[] = [];
  for (const key of Object.keys(value)) {
    const text = await memberText(value[key], slicer);
    if (text !== undefined) parts.push(`  ${JSON.stringify(key)}: ${text}`);
  }
  return parts.length === 0 ? '{}\n' : `{\n${parts.join(',\n')}\n}\n`;
}
