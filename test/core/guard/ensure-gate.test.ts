import { describe, expect, it } from 'vitest';
import { ensureBlocked, type EnsureGateInput } from '../../../src/core/guard/ensure-gate.js';

const now = new Date('2026-05-01T12:00:00Z');
const open = {
  healthyEndpoints: 2,
  minimumHealthy: 1,
  circuit: { failure_times: [], open_until: null },
  dryRun: false,
  now,
} satisfies EnsureGateInput;

describe('ensureBlocked (the one rule for the webhook ensure and replay)', () => {
  it('lets ensure run when the floor is met, the circuit is closed and it is not a dry run', () => {
    expect(ensureBlocked(open)).toBeNull();
  });

  it('reports the floor first, then the circuit, then dry-run', () => {
    const circuit = { failure_times: [], open_until: '2026-05-01T12:10:00Z' };
    expect(ensureBlocked({ ...open, healthyEndpoints: 0, circuit, dryRun: true })).toBe(
      'endpoint_floor_not_met',
    );
    expect(ensureBlocked({ ...open, circuit, dryRun: true })).toBe('circuit_open');
    expect(ensureBlocked({ ...open, dryRun: true })).toBe('dry_run');
  });

  it('a circuit whose open period has passed no longer blocks', () => {
    expect(
      ensureBlocked({
        ...open,
        circuit: { failure_times: [], open_until: '2026-05-01T11:59:59Z' },
      }),
    ).toBeNull();
  });
});
