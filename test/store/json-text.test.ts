import { describe, expect, it } from 'vitest';
import { jsonFileText, jsonFileTextSliced } from '../../src/store/json-text.js';

const lanes = (n: number): Record<string, unknown> =>
  Object.fromEntries(
    Array.from({ length: n }, (_, i) => [
      `lane-${i}`,
      { work: `${i}/0/1/2/3`, changedAt: '2026-01-01T00:00:00.000Z', stalledSince: null },
    ]),
  );

describe('JSON file text written in slices', () => {
  it('is byte for byte what JSON.stringify(value, null, 2) gives, large members included', async () => {
    const values: unknown[] = [
      {},
      [],
      'text',
      null,
      { a: 1, b: 'two', c: [1, 2, { d: null }], e: {}, f: [] },
      { progress: lanes(5234), lanes: {}, count: 3, last: '2026-01-01T00:00:00.000Z' },
      {
        skipped: Array.from({ length: 4700 }, (_, i) => ({ id: `l${i}`, reason: 'pause_held' })),
        started: [],
        notes: ['a\nb', 'quote "x"'],
      },
      // Values JSON leaves out (in objects) or writes as null (in arrays), whole chunks of them too.
      {
        gone: undefined,
        fn: () => 1,
        many: Object.fromEntries(Array.from({ length: 4200 }, (_, i) => [`k${i}`, undefined])),
        holes: Array.from({ length: 4100 }, (_, i) => (i % 2 ? undefined : i)),
        mixed: Object.fromEntries(
          Array.from({ length: 6500 }, (_, i) => [`m${i}`, i < 2000 || i >= 4000 ? undefined : i]),
        ),
      },
      // Keys that look like array indexes come first, in JSON.stringify's order too.
      { big: Object.fromEntries(Array.from({ length: 4900 }, (_, i) => [String(4900 - i), i])) },
      { empty: Object.fromEntries(Array.from({ length: 4100 }, (_, i) => [`e${i}`, {}])) },
      { at: new Date(0), nested: { at: new Date(1) } },
    ];
    for (const value of values) expect(await jsonFileTextSliced(value)).toBe(jsonFileText(value));
  });
});
