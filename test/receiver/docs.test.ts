// docs/webhook.md keeps up with the code: every error code and reason, every decision reason.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALERT_REASONS } from '../../src/core/receiver/decide.js';
import { WEBHOOK_ERRORS } from '../../src/receiver/errors.js';
import { ALERT_ACTIONS as ACTIONS } from '../../src/domain/catalogues.js';

const doc = readFileSync(path.resolve('docs/webhook.md'), 'utf8');

describe('docs/webhook.md', () => {
  it('lists every rejection with its status, reason and code on one table row', () => {
    for (const e of Object.values(WEBHOOK_ERRORS)) {
      expect(doc).toMatch(new RegExp(`\\| ${e.status} \\| \`${e.reason}\` \\| \`${e.code}\` \\|`));
    }
  });

  it('documents every decision reason, in gate order, and every catalogue action', () => {
    const rows = [...doc.matchAll(/^\| \d+ \| .* \| `(\w+)` \| `?([\w—]+)`? \|$/gm)].map(
      (m) => m[2],
    );
    expect(rows).toEqual([...ALERT_REASONS, '—']);
    for (const action of ACTIONS) expect(doc).toContain(`| \`${action}\` |`);
  });
});
