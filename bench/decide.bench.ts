// decide() must stay cheap as fleets grow. Baseline: structuredClone of the same snapshot, i.e. the
// cost of merely copying the input once — a pure decision that costs a few copies is fine.
import { bench, describe } from 'vitest';
import { decide } from '../src/core/guard/policy.js';
import { config, endpoints, lanes, NOW, state } from './fixtures.js';

for (const size of [100, 2000]) {
  const eps = endpoints(Math.max(4, size / 25));
  const snapshot = lanes(size, eps);
  describe(`decide() with ${size} lanes over ${eps.length} endpoints`, () => {
    bench('baseline: structuredClone(snapshot)', () => {
      structuredClone(snapshot);
    });
    bench('decide()', () => {
      decide({ lanes: snapshot, endpoints: eps, state, config, now: NOW, trigger: 'schedule' });
    });
  });
}
