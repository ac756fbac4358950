import { describe, expect, it } from 'vitest';
import { IntervalScheduler } from '../../src/util/scheduler.js';
import { FakeClock } from '../../src/util/clock.js';

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('IntervalScheduler', () => {
  it('runs each job when its interval elapsed on the clock, never overlapping itself', async () => {
    const clock = new FakeClock();
    const scheduler = new IntervalScheduler(clock);
    const runs: string[] = [];
    let release: () => void = () => undefined;
    let interval = 10;
    scheduler.add({
      name: 'fast',
      intervalSec: () => interval,
      run: async () => void runs.push(`fast@${clock.now().getTime() / 1000}`),
    });
    scheduler.add({
      name: 'slow',
      intervalSec: () => 5,
      run: () =>
        new Promise<void>((r) => {
          runs.push(`slow@${clock.now().getTime() / 1000 - 1767225600}`);
          release = r;
        }),
    });
    scheduler.tick();
    await flush();
    expect(runs).toEqual(['fast@1767225600', 'slow@0']);
    clock.advance(9_000);
    scheduler.tick();
    await flush();
    expect(runs).toHaveLength(2);
    clock.advance(1_000);
    scheduler.tick();
    await flush();
    // fast is due again; slow is due but still running, so it is not started twice.
    expect(runs).toEqual(['fast@1767225600', 'slow@0', 'fast@1767225610']);
    release();
    await new Promise((r) => setTimeout(r, 0));
    scheduler.tick();
    expect(runs.at(-1)).toBe('slow@10');
    interval = 2;
    clock.advance(2_000);
    scheduler.tick();
    await flush();
    expect(runs.at(-1)).toBe('fast@1767225612');
  });

  it('a failing job is reported and runs again at its next interval', async () => {
    const clock = new FakeClock();
    const errors: string[] = [];
    const scheduler = new IntervalScheduler(clock, (job, err) =>
      errors.push(`${job}: ${err.message}`),
    );
    let calls = 0;
    scheduler.add({
      name: 'flaky',
      intervalSec: () => 1,
      run: async () => {
        calls++;
        throw new Error('boom');
      },
    });
    scheduler.tick();
    await new Promise((r) => setTimeout(r, 0));
    clock.advance(1000);
    scheduler.tick();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toBe(2);
    expect(errors).toEqual(['flaky: boom', 'flaky: boom']);
  });

  it('a clock stepped backwards does not stall the jobs until it catches up', async () => {
    const clock = new FakeClock('2026-01-01T12:00:00.000Z');
    const scheduler = new IntervalScheduler(clock);
    let calls = 0;
    scheduler.add({ name: 'cycle', intervalSec: () => 30, run: async () => void calls++ });
    scheduler.tick();
    await flush();
    expect(calls).toBe(1);
    // NTP (or an operator) sets the wall clock back an hour.
    clock.set('2026-01-01T11:00:00.000Z');
    scheduler.tick();
    await flush();
    expect(calls).toBe(2);
    clock.advance(29_000);
    scheduler.tick();
    await flush();
    expect(calls).toBe(2);
    clock.advance(1_000);
    scheduler.tick();
    await flush();
    expect(calls).toBe(3);
  });
});

describe('IntervalScheduler.runUntil', () => {
  it('ticks on its own timer until the signal aborts, then waits for the job in flight', async () => {
    const clock = new FakeClock();
    const scheduler = new IntervalScheduler(clock, undefined, { tickMs: 5 });
    const controller = new AbortController();
    let finished = 0;
    let started = 0;
    scheduler.add({
      name: 'job',
      intervalSec: () => 1,
      run: async () => {
        started++;
        clock.advance(1000);
        if (started === 3) controller.abort();
        await new Promise((r) => setTimeout(r, 50));
        finished++;
      },
    });
    await scheduler.runUntil(controller.signal);
    // The third run was in flight when the signal aborted: runUntil returned only after it ended.
    expect(started).toBe(3);
    expect(finished).toBe(3);
    expect(scheduler.started).toBe(false);
  });

  it('an already aborted signal runs nothing', async () => {
    const scheduler = new IntervalScheduler(new FakeClock(), undefined, { tickMs: 5 });
    let runs = 0;
    scheduler.add({ name: 'job', intervalSec: () => 1, run: async () => void runs++ });
    const controller = new AbortController();
    controller.abort();
    await scheduler.runUntil(controller.signal);
    expect(runs).toBe(0);
  });
});
