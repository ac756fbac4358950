// Per-lane memory (progress, backoff) is never changed in place: a change makes a new record. A
// record of 10,000 lanes takes milliseconds to copy, and most cycles change no entry, so changes are
// kept aside and the record is copied once at the end, in steps (a copy of 10,000 entries in one go
// held the event loop for ~5 ms), and only when something changed.
import type { Steps } from '../steps.js';

/** Entries copied between two pauses. */
const ENTRIES_PER_STEP = 1024;

export interface CopyOnWrite<T> {
  /** The entry as it stands: the original's until `set`. */
  get(id: string): T | undefined;
  set(id: string, entry: T): void;
  /** The record with every change (the original itself when there was none), made in steps. */
  result(): Steps<Readonly<Record<string, T>>>;
}

export function copyOnWrite<T>(original: Readonly<Record<string, T>>): CopyOnWrite<T> {
  const changes = new Map<string, T>();
  return {
    get: (id) => (changes.size > 0 && changes.has(id) ? changes.get(id) : original[id]),
    set: (id, entry) => void changes.set(id, entry),
    *result() {
      if (changes.size === 0) return original;
      const copy: Record<string, T> = {};
      let n = 0;
      for (const id in original) {
        copy[id] = original[id]!;
        if (++n % ENTRIES_PER_STEP === 0) yield;
      }
      // In the order a copy changed in place would have: known ids where they were, new ones after.
      for (const [id, entry] of changes) {
        copy[id] = entry;
        if (++n % ENTRIES_PER_STEP === 0) yield;
      }
      return copy;
    },
  };
}
