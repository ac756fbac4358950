// The one JSON reader for anything laneguard did not just write itself: config files, state files,
// lane files, webhook payloads, model server answers, history lines. A key named `__proto__`,
// `constructor` or `prototype` is refused wherever it appears: copied into a plain object it
// replaces that object's prototype, and its contents become values nobody configured (a
// `start_command` included).

export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

export class ForbiddenKeyError extends Error {
  constructor(
    /** Where the key is, as `a.b[2].__proto__`. */
    readonly keyPath: string,
    readonly key: string,
  ) {
    super(`key "${key}" at ${keyPath} is not allowed: rename or remove it`);
    this.name = 'ForbiddenKeyError';
  }
}

// A forbidden key is spelled out in the text, or hidden behind a \u escape: without either, the
// walk is skipped (history lines and payloads are read often).
const MAY_HOLD_FORBIDDEN = /__proto__|constructor|prototype|\\u/;

function pathOf(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const shown = /^[A-Za-z_$][\w$-]*$/.test(key)
    ? key
    : JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
  return parent ? `${parent}.${shown}` : shown;
}

/** The path of the first forbidden key in a parsed value, or null. Iterative: depth cannot overflow. */
export function findForbiddenKey(value: unknown): { path: string; key: string } | null {
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (Array.isArray(current)) {
      current.forEach((v, i) => stack.push({ value: v, path: pathOf(path, i) }));
      continue;
    }
    for (const key of Object.keys(current)) {
      if (FORBIDDEN_KEYS.includes(key)) return { path: pathOf(path, key), key };
      stack.push({ value: (current as Record<string, unknown>)[key], path: pathOf(path, key) });
    }
  }
  return null;
}

/** JSON.parse that refuses forbidden keys (ForbiddenKeyError); syntax errors throw as JSON.parse does. */
export function parseJson(text: string): unknown {
  const value = JSON.parse(text) as unknown;
  if (!MAY_HOLD_FORBIDDEN.test(text)) return value;
  const found = findForbiddenKey(value);
  if (found) throw new ForbiddenKeyError(found.path || '(top level)', found.key);
  return value;
}
