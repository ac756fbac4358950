import { describe, expect, it } from 'vitest';
import {
  BUSY_SLICE_MS,
  Foreground,
  MAX_DEFER_MS,
  RECENT_MS,
  runSliced,
  TimeSlicer,
} from '../../src/util/slice.js';

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

describe('foreground work first', () => {
  const slowLoop = async (slicer: TimeSlicer, items: number): Promise<void> => {
    for (let i = 0; i < items; i++) {
      busy(1);
      await slicer.tick();
    }
  };

  it('a background loop that yields waits while a request is being answered, and goes on once it is', async () => {
    const requests = new Foreground();
    const leave = requests.enter();
    let loopDone = false;
    const loop = slowLoop(new TimeSlicer({ sliceMs: 2, requests }), 20).then(
      () => (loopDone = true),
    );
    // Long enough for the loop to reach several yields, shorter than one deferral.
    await new Promise((r) => setTimeout(r, MAX_DEFER_MS / 2));
    expect(loopDone).toBe(false);
    leave();
    await loop;
    expect(loopDone).toBe(true);
  });

  it('requests that never end slow a background loop down but never stop it', async () => {
    const requests = new Foreground();
    requests.enter();
    const started = performance.now();
    const slicer = new TimeSlicer({ sliceMs: 2, requests });
    await slowLoop(slicer, 10);
    expect(slicer.yields).toBeGreaterThan(0);
    // Each yield waited for the bound and no longer.
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(slicer.yields * MAX_DEFER_MS - 5);
    expect(elapsed).toBeLessThan(slicer.yields * (MAX_DEFER_MS + 50) + 100);
  });

  it('a loop that answers a request yields to I/O but never waits for other requests', async () => {
    const requests = new Foreground();
    requests.enter();
    const started = performance.now();
    const slicer = new TimeSlicer({ sliceMs: 2, foreground: true, requests });
    await slowLoop(slicer, 20);
    expect(slicer.yields).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(slicer.yields * MAX_DEFER_MS);
  });

  it('run() ends the foreground work when the work throws', async () => {
    const requests = new Foreground();
    await expect(
      requests.run(async () => {
        expect(requests.busy).toBe(true);
        throw new Error('render failed');
      }),
    ).rejects.toThrow('render failed');
    expect(requests.busy).toBe(false);
  });

  it('leaving twice counts once', () => {
    const requests = new Foreground();
    const a = requests.enter();
    const b = requests.enter();
    a();
    a();
    expect(requests.busy).toBe(true);
    b();
    expect(requests.busy).toBe(false);
  });
});

describe('short slices while requests keep coming', () => {
  it('a background slice shrinks to BUSY_SLICE_MS after a request began, and is whole again once they stop', () => {
    const requests = new Foreground();
    const slicer = new TimeSlicer({ sliceMs: 60_000, requests });
    busy(BUSY_SLICE_MS * 1.5);
    expect(slicer.due).toBe(false);
    requests.enter()();
    expect(slicer.due).toBe(true);
    // The stream stopped: RECENT_MS later, the loop has its whole slice back.
    busy(RECENT_MS + 1);
    expect(slicer.due).toBe(false);
  });

  it('a loop that answers a request keeps its whole slice', () => {
    const requests = new Foreground();
    const slicer = new TimeSlicer({ sliceMs: 60_000, foreground: true, requests });
    requests.enter()();
    busy(BUSY_SLICE_MS * 1.5);
    expect(slicer.due).toBe(false);
  });
});

describe('work in steps, run sliced', () => {
  function* steps(n: number, msEach: number): Generator<void, number, void> {
    for (let i = 0; i < n; i++) {
      busy(msEach);
      yield;
    }
    return n;
  }

  it('hands the event loop back at a pause once the slice is used up, and returns the result', async () => {
    let servedAfter: number | null = null;
    let done = 0;
    const counted = (function* () {
      const result = yield* steps(20, 1);
      done = result;
      return result;
    })();
    setImmediate(() => (servedAfter = done));
    const slicer = new TimeSlicer({ sliceMs: 4, requests: new Foreground() });
    expect(await runSliced(counted, slicer)).toBe(20);
    // Served while the steps ran (before the last one), not after them.
    expect(servedAfter).toBe(0);
    expect(slicer.yields).toBeGreaterThan(0);
  });

  it('never yields when the steps fit in one slice', async () => {
    const slicer = new TimeSlicer({ sliceMs: 60_000, requests: new Foreground() });
    expect(await runSliced(steps(50, 0), slicer)).toBe(50);
    expect(slicer.yields).toBe(0);
  });
});
