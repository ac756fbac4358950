// laneguard's JSON files as text: two-space indent and one newline at the end.
//
// The daemon's report and state name every lane (1-2 MB at 10,000 lanes): one JSON.stringify of
// them holds the event loop for tens of milliseconds on a busy machine. `jsonFileTextSliced` gives
// the same text, a few thousand entries of a large member at a time, handing the loop back between.
// It allocates little more than one stringify: each piece is stringified where it sits (inside a
// one-key wrapper, so JSON.stringify indents it), and the pieces are concatenated, not joined.
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

// `{"x": value}` stringified with an indent of 2 puts value's text one level deep, as a member of
// the file's top-level object: `{\n  "x": ` + text + `\n}`; a value JSON leaves out gives `{}`.
const WRAP_HEAD = '{\n  "x": '.length;
const WRAP_TAIL = '\n}'.length;

/** A top-level member's text (as nested one level deep), a chunk at a time when it is large. */
async function memberText(value: unknown, slicer: TimeSlicer): Promise<string | undefined> {
  const isArray = Array.isArray(value);
  const plain = isPlain(value);
  const keys = plain && !isArray ? Object.keys(value) : null;
  const size = isArray ? (value as unknown[]).length : (keys?.length ?? 0);
  if (!plain || size <= CHUNK) {
    const text = JSON.stringify({ x: value }, null, 2);
    return text === '{}' ? undefined : text.slice(WRAP_HEAD, -WRAP_TAIL);
  }
  // A chunk wrapped the same way: `{\n  "x": {\n` + its entries, two levels deep + `\n  }\n}`.
  let body = '';
  for (let from = 0; from < size; from += CHUNK) {
    const to = Math.min(size, from + CHUNK);
    let chunk: unknown;
    if (isArray) chunk = (value as unknown[]).slice(from, to);
    else {
      const part: Record<string, unknown> = {};
      for (let i = from; i < to; i++)
        part[keys![i]!] = (value as Record<string, unknown>)[keys![i]!];
      chunk = part;
    }
    const text = JSON.stringify({ x: chunk }, null, 2);
    // A chunk whose every value JSON leaves out is `{}`: nothing to add.
    if (!text.endsWith('{}\n}')) {
      const entries = text.slice(WRAP_HEAD + 2, -(WRAP_TAIL + 4));
      body = body === '' ? entries : `${body},\n${entries}`;
    }
    await slicer.tick();
  }
  if (isArray) return `[\n${body}\n  ]`;
  return body === '' ? '{}' : `{\n${body}\n  }`;
}

/** The same text as `jsonFileText`, without holding the event loop for a large value. */
export async function jsonFileTextSliced(
  value: unknown,
  slicer = new TimeSlicer(),
): Promise<string> {
  if (!isPlain(value) || Array.isArray(value)) return jsonFileText(value);
  let text = '';
  for (const key of Object.keys(value)) {
    const member = await memberText(value[key], slicer);
    if (member === undefined) continue;
    text = `${text}${text === '' ? '{\n' : ',\n'}  ${JSON.stringify(key)}: ${member}`;
  }
  return text === '' ? '{}\n' : `${text}\n}\n`;
}
