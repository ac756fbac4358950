// Per-lane memory changed by copy: changes kept aside, the record copied once, in steps.
import { describe, expect, it } from 'vitest';
import { copyOnWrite } from '../../../src/core/guard/copy-on-write.js';
import { observeSteps } from '../../../src/core/guard/observe.js';
import { runToEnd } from '../../../src/core/steps.js';
import { guardConfig, lane, NOW, state } from '../../helpers/builders.js';

function pauses<T>(steps: Generator<void, T, void>): { value: T; pauses: number } {
  for (let pauses = 0; ; pauses++) {
    const r = steps.next();
    if (r.done) return { value: r.value, pauses };
  }
}

describe('copyOnWrite', () => {
  it('hands the original back when nothing was set, without a pause', () => {
    const original = Object.freeze({ a: 1, b: 2 });
    const cow = copyOnWrite<number>(original);
    expect(cow.get('a')).toBe(1);
    const { value, pauses: n } = pauses(cow.result());
    expect(value).toBe(original);
    expect(n).toBe(0);
  });

  it('reads its own changes, keeps known ids in place and adds new ones after, leaving the original', () => {
    const original = Object.freeze({ a: 1, b: 2, c: 3 });
    const cow = copyOnWrite<number>(original);
    cow.set('b', 20);
    cow.set('z', 26);
    cow.set('a', 10);
    expect([cow.get('a'), cow.get('b'), cow.get('c'), cow.get('z')]).toEqual([10, 20, 3, 26]);
    const copy = runToEnd(cow.result());
    expect(Object.entries(copy)).toEqual([
      ['a', 10],
      ['b', 20],
      ['c', 3],
      ['z', 26],
    ]);
    expect(original).toEqual({ a: 1, b: 2, c: 3 });
  });

  it('copies a large record in steps', () => {
    const original: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) original[`l${i}`] = i;
    const cow = copyOnWrite(original);
    cow.set('l5', -5);
    const { value, pauses: n } = pauses(cow.result());
    expect(n).toBeGreaterThanOrEqual(9);
    expect(Object.keys(value)).toHaveLength(10_000);
    expect(value.l5).toBe(-5);
    expect(original.l5).toBe(5);
  });
});

describe('observeSteps over a large fleet', () => {
  it('pauses every few hundred lanes, and ends as the one-go observe does', () => {
    const lanes = Array.from({ length: 3000 }, (_, i) => lane(`l${i}`, { running: i % 2 === 0 }));
    const cfg = guardConfig();
    const first = runToEnd(observeSteps(state(), { lanes, errors: [] }, NOW, cfg));
    expect(Object.keys(first.state.progress)).toHaveLength(3000);
    const { value, pauses: n } = pauses(
      observeSteps(first.state, { lanes: lanes.slice(1), errors: [] }, NOW, cfg),
    );
    // Lanes listed, memory compared, stalls judged: each pauses every 256 lanes.
    expect(n).toBeGreaterThanOrEqual(3 * Math.floor(2999 / 256));
    expect(Object.keys(value.state.progress)).toHaveLength(2999);
    expect(value.state.progress.l0).toBeUndefined();
    expect(value.state.progress.l1).toBe(first.state.progress.l1);
  });
});
