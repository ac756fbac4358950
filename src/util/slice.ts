// Cooperative time slicing: long loops hand the event loop back every few milliseconds, so HTTP
// requests (scrapes, webhook calls) are answered while a cycle reads thousands of lanes.
import { setImmediate as yieldToLoop } from 'node:timers/promises';

export const DEFAULT_SLICE_MS = 4;

export class TimeSlicer {
  private sliceStart = performance.now();
  /** How many times the loop was handed back (the benchmark prints it). */
  yields = 0;

  constructor(private readonly sliceMs = DEFAULT_SLICE_MS) {}

  /** Yield when the current slice is used up; cheap to call once per item. */
  async tick(): Promise<void> {
    if (performance.now() - this.sliceStart < this.sliceMs) return;
    await yieldToLoop();
    this.yields++;
    this.sliceStart = performance.now();
  }
}
