import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { laneguard, readEvents, readReport } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { useModelServer } from '../helpers/model-server.js';

const models = useModelServer();

describe('escalation while the idle condition persists', () => {
  it('runs escalate_command once the idle streak reaches the threshold, then not again inside its interval', async () => {
    const root = tempDir();
    const marker = path.join(root, 'escalations.log');
    buildSandboxRoot(root, {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      // A lane held by an operator: the fleet stays idle while work waits.
      lanes: [
        {
          id: 'held',
          urls: [models.server.baseUrl],
          pending: 2,
          pause: { text: 'manual hold', ageSec: 10 },
        },
      ],
      guard: {
        idle_alert_threshold_cycles: 2,
        escalate_command: [
          process.execPath,
          '-e',
          'require("fs").appendFileSync(process.argv[1], process.argv[2] + "\\n")',
          marker,
          '{root}',
        ],
      },
    });
    await laneguard(['--root', root, 'once']);
    expect(readReport(root).anomalies).toEqual(['idle_while_endpoints_healthy']);
    await laneguard(['--root', root, 'once']);
    expect(readReport(root)).toMatchObject({
      consecutive_idle_cycles: 2,
      anomalies: ['idle_while_endpoints_healthy', 'persistent_idle_condition'],
      escalate: { ran: true, ok: true },
    });
    await laneguard(['--root', root, 'once']);
    expect(readReport(root).escalate.ran).toBe(false);
    expect(readFileSync(marker, 'utf8')).toBe(`${root}\n`);
    expect(readEvents(root).filter((e) => e.type === 'escalated')).toEqual([
      expect.objectContaining({ reason: 'persistent_idle_condition', ok: true, exit_code: 0 }),
    ]);
  });
});
