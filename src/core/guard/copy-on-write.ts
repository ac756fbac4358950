// Per-lane memory (progress, backoff) is never changed in place: a change makes a new record. A
// record of 10,000 lanes takes milliseconds to copy, and most cycles change no entry, so it is
// copied on the first change only.

export interface CopyOnWrite<T> {
  /** The record as it stands: the original until the first `set`. */
  readonly current: Readonly<Record<string, T>>;
  set(id: string, entry: T): void;
}

export function copyOnWrite<T>(original: Readonly<Record<string, T>>): CopyOnWrite<T> {
  let current: Record<string, T> | null = null;
  return {
    get current() {
      return current ?? original;
    },
    set(id, entry) {
      current ??= { ...original };
      current[id] = entry;
    },
  };
}
