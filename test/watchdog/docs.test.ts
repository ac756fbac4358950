// docs/watchdog.md shows a config and a status answer: both must be what the code accepts and says.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matcher, parseWatchdogConfig } from '../../src/config/watchdog.js';
import { laneguardArgv } from '../../src/util/self.js';
import { statusRow } from '../../src/watchdog/status.js';
import { emptyMemory } from '../../src/core/watchdog/types.js';

const blocks = [
  ...readFileSync('docs/watchdog.md', 'utf8').matchAll(/```json\n([\s\S]*?)```/g),
].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);

describe('docs/watchdog.md', () => {
  const config = parseWatchdogConfig(blocks[0], '/srv/laneguard', 'docs/watchdog.md');
  const spec = (id: string) => config.processes.find((p) => p.id === id)!;

  it('the example config is valid, with serve health-checked on /-/healthy', () => {
    expect(config.processes.map((p) => p.id)).toEqual(['serve', 'heartbeat', 'fleet-supervisor']);
    expect(spec('serve').health).toEqual({
      kind: 'http',
      url: 'http://127.0.0.1:9477/-/healthy',
      timeoutSec: 5,
    });
    // idle_guard.pid makes the entry laneguard's own serve: restarted with laneguard's own `start`.
    expect(spec('serve').role).toBe('guard');
    expect(spec('serve').restartCommand).toEqual(laneguardArgv('/srv/laneguard', 'start'));
    expect(spec('heartbeat').role).toBe('configured');
    expect(spec('heartbeat').restartCommand).toEqual([
      'laneguard',
      '--root',
      '/srv/laneguard',
      'heartbeat',
      'run',
    ]);
  });

  it.each([
    ['serve', 'node /usr/local/bin/laneguard --root /srv/laneguard serve', true],
    ['serve', '/usr/bin/node /opt/laneguard/dist/main.js --root /srv/laneguard serve', true],
    ['serve', 'node /usr/local/bin/laneguard --root /srv/laneguard watchdog run', false],
    ['serve', 'node /usr/local/bin/laneguard --root /srv/other serve', false],
    ['serve', 'vim /srv/laneguard/serve', false],
    [
      'serve',
      'node /usr/local/bin/laneguard --root=/srv/laneguard/ serve --listen 127.0.0.1:0',
      true,
    ],
    ['serve', 'node /usr/local/bin/laneguard serve', true],
    ['serve', 'node /usr/local/bin/laneguard --root /srv/laneguard2 serve', false],
    ['serve', 'python3 local_model_idle_guard.py --root /srv/laneguard serve', false],
    ['heartbeat', 'node /usr/local/bin/laneguard --root /srv/laneguard heartbeat run', true],
    ['heartbeat', 'node /usr/local/bin/laneguard --root /srv/laneguard serve', false],
  ])('%s match_regex on "%s" → %s', (id, cmdline, expected) => {
    expect(matcher(spec(id)).test(cmdline)).toBe(expected);
  });

  it('the status example has exactly the fields status --json prints', () => {
    const example = (blocks[1]!.processes as Array<Record<string, unknown>>)[0]!;
    const row = statusRow(
      'x',
      { status: 'healthy', reason: null, memory: emptyMemory() },
      undefined,
      600,
      new Date(),
    );
    expect(Object.keys(example).sort()).toEqual(Object.keys(row).sort());
  });
});
