import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fleetSchema } from '../../src/config/fleet-schema.js';
import { ENDPOINT_KINDS } from '../../src/domain/catalogues.js';
import { PROBERS } from '../../src/fleet/probers/index.js';

describe('the endpoint kind catalogue', () => {
  it('every kind has a prober, is accepted by the config schema and has a row in docs/probing.md', () => {
    const doc = readFileSync('docs/probing.md', 'utf8');
    for (const kind of ENDPOINT_KINDS) {
      expect(typeof PROBERS[kind]).toBe('function');
      const parsed = fleetSchema.safeParse({
        endpoints: [{ id: 'e', base_url: 'http://127.0.0.1:1/v1', kind }],
      });
      expect(parsed.success, kind).toBe(true);
      if (kind !== 'auto') expect(doc).toMatch(new RegExp(`^\\| \`${kind}\` +\\|`, 'm'));
    }
  });

  it('a kind outside the catalogue is refused', () => {
    expect(
      fleetSchema.safeParse({
        endpoints: [{ id: 'e', base_url: 'http://127.0.0.1:1/v1', kind: 'tgi' }],
      }).success,
    ).toBe(false);
  });
});
