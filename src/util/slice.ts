// Cooperative time slicing: long loops hand the event loop back every few milliseconds, so HTTP
// requests (scrapes, webhook calls) are answered while a cycle reads thousands of lanes.
//
// Loops are background work (the cycle) unless they produce a response (a scrape's writer). A
// request being answered is foreground work: while one is, a background loop that yields waits
// for it to finish (at most MAX_DEFER_MS per yield, so a stream of requests slows a cycle down but
// never stops it). Without this, a scrape that needs a few slices of its own waited for a cycle
// slice at each of its yields.
import { setImmediate as yieldToLoop } from 'node:timers/promises';

export const DEFAULT_SLICE_MS = 4;
/** Longest a background loop waits for requests in flight at one yield. */
export const MAX_DEFER_MS = 20;
/**
 * A background loop's slice while requests keep coming (one began within the last RECENT_MS).
 * Most requests are answered within the macrotask that reads them, so they are rarely *in flight*
 * when a loop yields; but each waits for the slice that runs before the next turn of the event
 * loop reads it. Under a stream of webhook calls or scrapes, shorter slices make that wait short,
 * and the loop gets a smaller share of the thread until the stream stops.
 */
export const BUSY_SLICE_MS = 1;
export const RECENT_MS = 100;

/** Requests being answered now; background loops give way to them when they yield. */
export class Foreground {
  private active = 0;
  private waiters: Array<() => void> = [];
  /** When foreground work last began (performance.now()); -Infinity before any. */
  lastBegan = -Infinity;

  get busy(): boolean {
    return this.active > 0;
  }

  /** Foreground work begins; call the returned function once it ends (later calls do nothing). */
  enter(): () => void {
    this.active++;
    this.lastBegan = performance.now();
    let left = false;
    return () => {
      if (left) return;
      left = true;
      if (--this.active > 0) return;
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    };
  }

  /** Resolves once no foreground work is active, or after `maxMs`, whichever comes first. */
  idle(maxMs: number): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve();
      }, maxMs);
      this.waiters.push(wake);
    });
  }

  /** Run `work` as foreground work. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const leave = this.enter();
    try {
      return await work();
    } finally {
      leave();
    }
  }
}

/** The process's foreground: the HTTP routes that must not wait for a cycle mark their requests. */
export const foreground = new Foreground();

export interface SlicerOptions {
  sliceMs?: number;
  /** A loop that answers a request: it yields to I/O but never waits for other requests. */
  foreground?: boolean;
  /** The foreground it gives way to (tests pass their own). */
  requests?: Foreground;
}

/**
 * Hand the event loop back once, between the steps of a background job: pending I/O runs first, and
 * requests being answered are waited for (at most MAX_DEFER_MS), as at a TimeSlicer's yield.
 */
export async function handBack(requests: Foreground = foreground): Promise<void> {
  await yieldToLoop();
  if (requests.busy) await requests.idle(MAX_DEFER_MS);
}

export class TimeSlicer {
  private sliceStart = performance.now();
  private readonly sliceMs: number;
  private readonly requests: Foreground | null;
  /** How many times the loop was handed back (the benchmark prints it). */
  yields = 0;

  constructor(options: number | SlicerOptions = {}) {
    const o = typeof options === 'number' ? { sliceMs: options } : options;
    this.sliceMs = o.sliceMs ?? DEFAULT_SLICE_MS;
    this.requests = o.foreground ? null : (o.requests ?? foreground);
  }

  /**
   * Whether the current slice is used up. A hot loop checks this before awaiting `tick()`: an
   * await allocates even when nothing is awaited, and 10,000 of them a cycle add up.
   */
  get due(): boolean {
    const now = performance.now();
    const slice =
      this.requests !== null && now - this.requests.lastBegan < RECENT_MS
        ? Math.min(this.sliceMs, BUSY_SLICE_MS)
        : this.sliceMs;
    return now - this.sliceStart >= slice;
  }

  /** Yield when the current slice is used up; cheap to call once per item. */
  async tick(): Promise<void> {
    if (!this.due) return;
    await yieldToLoop();
    if (this.requests?.busy) await this.requests.idle(MAX_DEFER_MS);
    this.yields++;
    this.sliceStart = performance.now();
  }
}

/**
 * Run work done in steps (a generator that pauses with a bare `yield`, as the pure core's
 * `decideSteps` does), handing the event loop back at a pause once the slice is used up.
 */
export async function runSliced<T>(
  steps: Generator<void, T, void>,
  slicer: TimeSlicer = new TimeSlicer(),
): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (slicer.due) await slicer.tick();
  }
}
