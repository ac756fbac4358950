import { describe, expect, it } from 'vitest';
import { TimeSlicer } from '../../src/util/slice.js';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Work that holds the thread, as parsing thousands of lane files does.
  }
}

describe('time slicing', () => {
  it('a long loop hands the event loop back, so a request waiting meanwhile is served before the loop ends', async () => {
    const slicer = new TimeSlicer(4);
    let done = 0;
    let servedAt: number | null = null;
    setImmediate(() => (servedAt = done));
    for (let i = 0; i < 50; i++) {
      busy(1);
      done++;
      await slicer.tick();
    }
    expect(servedAt).not.toBeNull();
    expect(servedAt!).toBeLessThan(50);
    expect(slicer.yields).toBeGreaterThan(0);
  });

  it('a loop shorter than a slice never yields', async () => {
    const slicer = new TimeSlicer(10_000);
    for (let i = 0; i < 100; i++) await slicer.tick();
    expect(slicer.yields).toBe(0);
  });
});
