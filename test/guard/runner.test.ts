import { describe, expect, it } from 'vitest';
import { mergeRequests } from '../../src/guard/runner.js';

describe('coalescing cycle requests', () => {
  it('keeps the strongest trigger and the widest scope', () => {
    expect(mergeRequests({ trigger: 'schedule' }, { trigger: 'alert', onlyLanes: ['b'] })).toMatchObject({ trigger: 'alert', onlyLanes: null });
    expect(mergeRequests({ trigger: 'alert', onlyLanes: ['b'] }, { trigger: 'alert', onlyLanes: ['a', 'b'] })).toMatchObject({ trigger: 'alert', onlyLanes: ['a', 'b'] });
    expect(mergeRequests({ trigger: 'alert', onlyLanes: ['a'] }, { trigger: 'manual' })).toMatchObject({ trigger: 'manual', onlyLanes: null });
  });

  it('acts unless every request was a dry run; a force-unpause is kept', () => {
    expect(mergeRequests({ trigger: 'manual', dryRun: true }, { trigger: 'schedule', dryRun: true }).dryRun).toBe(true);
    expect(mergeRequests({ trigger: 'manual', dryRun: true }, { trigger: 'schedule' }).dryRun).toBe(false);
    expect(mergeRequests({ trigger: 'schedule' }, { trigger: 'manual', forceUnpause: 'x' }).forceUnpause).toBe('x');
  });
});
