import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandboxRoot, laneDir } from '../../src/sandbox/root.js';
import { laneguard, readEvents } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { useModelServer } from '../helpers/model-server.js';

const models = useModelServer();

const flagOf = (root: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(laneDir(root, 'a'), 'paused.flag'), 'utf8')) as Record<
    string,
    unknown
  >;
const archived = (root: string): string[] =>
  readdirSync(path.join(root, 'artifacts/autonomy/local_models/cleared_pauses')).sort();

describe('lanes pause never downgrades a pause', () => {
  it('refuses to replace a held pause without --hold or --force, and archives every flag it replaces', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [{ id: 'a', urls: [models.server.baseUrl], pending: 1 }],
    });
    expect(
      (await laneguard(['--root', root, 'lanes', 'pause', 'a', '--hold', '--reason', 'model swap']))
        .code,
    ).toBe(0);
    const held = readFileSync(path.join(laneDir(root, 'a'), 'paused.flag'), 'utf8');

    for (const args of [[], ['--until', '2099-01-01T00:00:00Z'], ['--reason', 'quick look']]) {
      const plain = await laneguard(['--root', root, 'lanes', 'pause', 'a', ...args]);
      expect(plain.code, args.join(' ')).toBe(2);
      expect(plain.stderr).toMatch(
        /a is already paused and it is held \(manual: model swap.*pass --hold to keep it held, or --force/,
      );
      // Nothing changed: the held flag is still there, byte for byte, and nothing was archived.
      expect(readFileSync(path.join(laneDir(root, 'a'), 'paused.flag'), 'utf8')).toBe(held);
    }

    const rehold = await laneguard([
      '--root',
      root,
      'lanes',
      'pause',
      'a',
      '--hold',
      '--reason',
      'longer swap',
    ]);
    expect(rehold.code).toBe(0);
    expect(rehold.stdout).toMatch(
      /the previous flag is kept at artifacts\/autonomy\/local_models\/cleared_pauses\/a-\d{8}T\d{9}Z\.flag/,
    );
    expect(flagOf(root)).toMatchObject({ reason: 'manual: longer swap', hold: true });
    expect(archived(root)).toHaveLength(1);
    expect(
      readFileSync(
        path.join(root, 'artifacts/autonomy/local_models/cleared_pauses', archived(root)[0]!),
        'utf8',
      ),
    ).toBe(held);

    const forced = await laneguard(['--root', root, 'lanes', 'pause', 'a', '--force']);
    expect(forced.code).toBe(0);
    expect(flagOf(root)).toMatchObject({ hold: false });
    expect(archived(root)).toHaveLength(2);
    const paused = readEvents(root).filter((e) => e.type === 'lane_paused');
    expect(paused).toHaveLength(3);
    expect(paused[0]!.replaced_archived_to).toBeUndefined();
    expect(String(paused[1]!.replaced_archived_to)).toMatch(/cleared_pauses\/a-/);
    expect(String(paused[2]!.replaced_archived_to)).toMatch(/cleared_pauses\/a-/);
  });

  it('a manual pause is replaced without --force, and the old flag is archived first', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [
        {
          id: 'a',
          urls: [models.server.baseUrl],
          pending: 1,
          pause: { text: 'manual first', ageSec: 30 },
        },
      ],
    });
    const again = await laneguard([
      '--root',
      root,
      'lanes',
      'pause',
      'a',
      '--reason',
      'manual second',
    ]);
    expect(again.code).toBe(0);
    expect(flagOf(root)).toMatchObject({ reason: 'manual second', hold: false });
    expect(archived(root)).toHaveLength(1);
    expect(
      readFileSync(
        path.join(root, 'artifacts/autonomy/local_models/cleared_pauses', archived(root)[0]!),
        'utf8',
      ),
    ).toBe('manual first');
  });
});
