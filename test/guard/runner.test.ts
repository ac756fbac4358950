import { describe, expect, it } from 'vitest';
import { mergeRequests } from '../../src/guard/runner.js';

describe('coalescing cycle requests', () => {
  it('keeps the strongest trigger and the widest scope', () => {
    expect(
      mergeRequests({ trigger: 'schedule' }, { trigger: 'alert', onlyLanes: ['b'] }),
    ).toMatchObject({ trigger: 'alert', onlyLanes: null });
    expect(
      mergeRequests(
        { trigger: 'alert', onlyLanes: ['b'] },
        { trigger: 'alert', onlyLanes: ['a', 'b'] },
      ),
    ).toMatchObject({ trigger: 'alert', onlyLanes: ['a', 'b'] });
    expect(
      mergeRequests({ trigger: 'alert', onlyLanes: ['a'] }, { trigger: 'manual' }),
    ).toMatchObject({ trigger: 'manual', onlyLanes: null });
  });

  it('acts unless every request was a dry run; a force-unpause is kept', () => {
    expect(
      mergeRequests({ trigger: 'manual', dryRun: true }, { trigger: 'schedule', dryRun: true })
        .dryRun,
    ).toBe(true);
    expect(mergeRequests({ trigger: 'manual', dryRun: true }, { trigger: 'schedule' }).dryRun).toBe(
      false,
    );
    expect(
      mergeRequests({ trigger: 'schedule' }, { trigger: 'manual', forceUnpause: 'x' }).forceUnpause,
    ).toBe('x');
  });

  it('a dry run folded into an acting request never widens what acts: the acting request decides trigger, scope and force-unpause', () => {
    // alert mode: the schedule only observes; a dry-run manual request must not turn it into an acting manual cycle.
    expect(
      mergeRequests({ trigger: 'schedule' }, { trigger: 'manual', dryRun: true }),
    ).toMatchObject({ trigger: 'schedule', dryRun: false });
    expect(
      mergeRequests({ trigger: 'manual', dryRun: true }, { trigger: 'schedule' }),
    ).toMatchObject({ trigger: 'schedule', dryRun: false });
    // recover_lane limited to b, plus a dry run of everything: the acting cycle stays limited to b.
    expect(
      mergeRequests({ trigger: 'alert', onlyLanes: ['b'] }, { trigger: 'manual', dryRun: true }),
    ).toMatchObject({ trigger: 'alert', onlyLanes: ['b'], dryRun: false });
    // A force-unpause asked for in a dry run is not carried into an acting cycle.
    expect(
      mergeRequests({ trigger: 'manual', dryRun: true, forceUnpause: 'x' }, { trigger: 'schedule' })
        .forceUnpause,
    ).toBeNull();
    // Two dry runs still merge as before.
    expect(
      mergeRequests(
        { trigger: 'schedule', dryRun: true },
        { trigger: 'manual', dryRun: true, forceUnpause: 'x' },
      ),
    ).toMatchObject({ trigger: 'manual', dryRun: true, forceUnpause: 'x' });
  });
});
