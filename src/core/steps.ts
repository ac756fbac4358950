// Work of the pure core done in steps: a generator that pauses now and then (a bare `yield`) and
// returns its result. Run in one go here; the cycle runs it sliced (`runSliced` in util/slice.ts),
// handing the event loop back at the pauses when its slice is used up.
export type Steps<T> = Generator<void, T, void>;

/** Run `steps` to the end without pausing. */
export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * Lanes a loop of the core goes through between two pauses: a few hundred µs of work at most, so a
 * cycle's slice (util/slice.ts) ends close to its budget.
 */
export const LANES_PER_STEP = 256;
