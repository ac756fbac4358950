import { quarantine, readJson } from './atomic.js';

export interface LoadedStateFile<T> {
  state: T;
  /** Where a torn or invalid file was moved (kept for inspection, never deleted), when it had to be. */
  repairedFrom: string | null;
  /** Why the file could not be used; null when it was fine or missing. */
  error: string | null;
}

/**
 * Load a state file laneguard owns: missing → `initial()`; readable → `parse(value)`; torn or of the
 * wrong shape (`parse` returns a string) → moved aside and `initial()`, so the process starts fresh
 * and nothing is lost.
 */
export function loadStateFile<T>(
  file: string,
  now: Date,
  initial: () => T,
  parse: (value: unknown) => T | string,
): LoadedStateFile<T> {
  const read = readJson(file);
  if (read.status === 'missing') return { state: initial(), repairedFrom: null, error: null };
  const parsed = read.status === 'ok' ? parse(read.value) : read.error;
  if (typeof parsed !== 'string') return { state: parsed, repairedFrom: null, error: null };
  let repairedFrom: string | null = null;
  try {
    repairedFrom = quarantine(file, now);
  } catch {
    // Could not move it aside; the next atomic write replaces it anyway.
  }
  return { state: initial(), repairedFrom, error: parsed };
}
