import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/core/guard/policy.js';
import { endpoint, guardConfig, lane, NOW, state, URL_A, URL_B } from '../../helpers/builders.js';

// Capacity from the server's own load: idle slots bound the starts of a cycle, waiting requests
// stop them (`endpoint_saturated`); configured max_parallel stays the upper bound.

const cfg = guardConfig({ max_auto_starts_per_cycle: 10 });
const lanes = (n: number) =>
  Array.from({ length: n }, (_, i) => lane(`l${i + 1}`, { pending: n - i }));
const reasons = (plan: ReturnType<typeof decide>) =>
  Object.fromEntries(plan.decisions.map((d) => [d.id, d.verdict === 'start' ? 'start' : d.reason]));

describe('decide: capacity from the server load', () => {
  it('starts at most as many lanes as the server has idle slots; the rest are endpoint_saturated', () => {
    const plan = decide({
      lanes: lanes(4),
      endpoints: [
        endpoint('a', {
          effectiveMaxParallel: 8,
          load: { running: 1, waiting: 0, slots: { busy: 1, idle: 2 } },
        }),
      ],
      state: state(),
      config: cfg,
      now: NOW,
      trigger: 'manual',
    });
    expect(reasons(plan)).toEqual({
      l1: 'start',
      l2: 'start',
      l3: 'endpoint_saturated',
      l4: 'endpoint_saturated',
    });
  });

  it('a server with requests waiting gets no new lane', () => {
    const plan = decide({
      lanes: lanes(2),
      endpoints: [endpoint('a', { load: { running: 4, waiting: 3, slots: null } })],
      state: state(),
      config: cfg,
      now: NOW,
      trigger: 'manual',
    });
    expect(plan.starts).toEqual([]);
    expect(reasons(plan)).toEqual({ l1: 'endpoint_saturated', l2: 'endpoint_saturated' });
  });

  it('configured max_parallel stays the upper bound: more idle slots than lane room is capacity_full', () => {
    const plan = decide({
      lanes: [lane('run', { running: true }), ...lanes(3)],
      endpoints: [
        endpoint('a', {
          effectiveMaxParallel: 2,
          configuredMaxParallel: 2,
          load: { running: 0, waiting: 0, slots: { busy: 0, idle: 8 } },
        }),
      ],
      state: state(),
      config: cfg,
      now: NOW,
      trigger: 'manual',
    });
    expect(reasons(plan)).toMatchObject({ l1: 'start', l2: 'capacity_full', l3: 'capacity_full' });
  });

  it('a lane moves to its other endpoint when the first is saturated', () => {
    const plan = decide({
      lanes: [lane('l1', { endpointUrls: [URL_A, URL_B] })],
      endpoints: [
        endpoint('a', { load: { running: 2, waiting: 1, slots: null } }),
        endpoint('b', { effectiveMaxParallel: 1 }),
      ],
      state: state(),
      config: cfg,
      now: NOW,
      trigger: 'manual',
    });
    expect(plan.starts.map((s) => s.endpointKey)).toEqual(['b']);
  });

  it('a server that reports nothing (or only what runs) is bounded by max_parallel alone', () => {
    for (const load of [
      null,
      undefined,
      { running: 3, waiting: null, slots: null },
      { running: 0, waiting: 0, slots: null },
    ]) {
      const plan = decide({
        lanes: lanes(3),
        endpoints: [endpoint('a', { effectiveMaxParallel: 2, load })],
        state: state(),
        config: cfg,
        now: NOW,
        trigger: 'manual',
      });
      expect(reasons(plan), JSON.stringify(load)).toEqual({
        l1: 'start',
        l2: 'start',
        l3: 'capacity_full',
      });
    }
  });
});
