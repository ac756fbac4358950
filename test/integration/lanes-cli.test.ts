import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandboxRoot, laneDir } from '../../src/sandbox/root.js';
import { laneguard, readEvents } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { useModelServer } from '../helpers/model-server.js';

const models = useModelServer();

describe('laneguard lanes', () => {
  it('lists lanes with pause, work and errors; --json for machines', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [
        {
          id: 'a',
          urls: [models.server.baseUrl],
          pending: 2,
          states: { done: 1 },
          pause: { text: 'manual <script>x</script>', ageSec: 700 },
        },
        { id: 'hosted', pending: 1, localOnly: false },
        { id: 'broken', raw: { id: 'no good' } },
      ],
    });
    const human = await laneguard(['--root', root, 'lanes']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^LANE\s+LOCAL\s+RUNNING/);
    expect(human.stdout).toMatch(/a\s+yes\s+no\s+-\s+stale 12m\s+2\/0\/0\/1\/0/);
    expect(human.stdout).toMatch(/hosted\s+no\s+no/);
    expect(human.stdout).toMatch(/ERROR no good: lanes_file/);
    const json = JSON.parse((await laneguard(['--root', root, 'lanes', '--json'])).stdout);
    expect(
      json.lanes.map((l: { id: string; local_lane: boolean }) => [l.id, l.local_lane]),
    ).toEqual([
      ['a', true],
      ['hosted', false],
    ]);
    // One key style, snake_case, like the API.
    expect(json.lanes[0]).toMatchObject({
      id: 'a',
      local_only: true,
      endpoints: [models.server.baseUrl],
      heartbeat_age_sec: null,
      pause: { manual: true, stale: true },
    });
    expect(
      Object.keys(json.lanes[0])
        .concat(Object.keys(json.lanes[0].pause))
        .filter((k) => /[A-Z]/.test(k)),
    ).toEqual([]);
    expect(json.errors).toHaveLength(1);
  });

  it('pause --hold writes a JSON flag the guard never clears; unpause archives it and records it', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [{ id: 'a', urls: [models.server.baseUrl], pending: 1 }],
    });
    const pause = await laneguard([
      '--root',
      root,
      'lanes',
      'pause',
      'a',
      '--hold',
      '--reason',
      'model swap',
    ]);
    expect(pause.code).toBe(0);
    const flag = JSON.parse(readFileSync(path.join(laneDir(root, 'a'), 'paused.flag'), 'utf8'));
    expect(flag).toMatchObject({ reason: 'manual: model swap', hold: true });
    const once = await laneguard(['--root', root, 'once', '--json']);
    expect(JSON.parse(once.stdout).skipped).toEqual([{ id: 'a', reason: 'pause_held' }]);
    const unpause = await laneguard(['--root', root, 'lanes', 'unpause', 'a']);
    expect(unpause.code).toBe(0);
    expect(existsSync(path.join(laneDir(root, 'a'), 'paused.flag'))).toBe(false);
    expect(readdirSync(path.join(root, 'artifacts/autonomy/local_models/cleared_pauses'))).toEqual([
      expect.stringMatching(/^a-\d{8}T\d{9}Z\.flag$/),
    ]);
    const events = readEvents(root);
    expect(events.find((e) => e.type === 'lane_paused')).toMatchObject({ lane: 'a', hold: true });
    expect(events.find((e) => e.type === 'lane_unpaused')).toMatchObject({
      lane: 'a',
      reason: 'operator',
    });
  });

  it('refuses to pause a lane the fleet does not have, and bad --until', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [{ id: 'a', urls: [models.server.baseUrl] }],
    });
    const unknown = await laneguard(['--root', root, 'lanes', 'pause', 'zz']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no lane "zz" in config\/lanes\.json/);
    expect(existsSync(laneDir(root, 'zz'))).toBe(false);
    const until = await laneguard(['--root', root, 'lanes', 'pause', 'a', '--until', 'soon']);
    expect(until.code).toBe(2);
    expect(until.stderr).toMatch(/--until: not an ISO 8601 time/);
  });

  it('pause --until is stored as a UTC instant, so a guard in another time zone holds it just as long; non-ISO is refused', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [{ id: 'a', urls: [models.server.baseUrl] }],
    });
    // An operator in New York means 10:00 New York time (14:00 UTC); a daemon running in UTC must read the same instant.
    const pause = await laneguard(
      ['--root', root, 'lanes', 'pause', 'a', '--until', '2099-06-01T10:00'],
      { env: { TZ: 'America/New_York' } },
    );
    expect(pause.code).toBe(0);
    const flag = JSON.parse(readFileSync(path.join(laneDir(root, 'a'), 'paused.flag'), 'utf8'));
    expect(flag.until).toBe('2099-06-01T14:00:00.000Z');
    // Date.parse would accept this as 5 June 2001, a pause that had long expired.
    const lenient = await laneguard(['--root', root, 'lanes', 'pause', 'a', '--until', 'June 5']);
    expect(lenient.code).toBe(2);
    expect(lenient.stderr).toMatch(/--until: not an ISO 8601 time/);
  });

  it('config check prints the effective config, warnings and not-performed keys; a typo exits 2', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [
        {
          id: 'lm',
          base_url: models.server.baseUrl,
          headers: { Authorization: 'Bearer ${LG_SECRET_TOKEN}' },
        },
      ],
      lanes: [{ id: 'a', urls: ['http://10.9.9.9:1234/v1'] }],
      guard: { revive_enabled: true },
    });
    const ok = await laneguard(['--root', root, 'config', 'check'], {
      env: { LG_SECRET_TOKEN: 'hunter2' },
    });
    expect(ok.code).toBe(0);
    // Each not-performed key is printed once, with what replaces it.
    expect(ok.stdout).toContain(
      "revive_enabled is accepted but not performed: laneguard never rewrites a lane's task state; use escalate_command",
    );
    expect(ok.stdout.match(/revive_enabled/g)).toHaveLength(1);
    expect(ok.stdout).toContain('lane a: http://10.9.9.9:1234/v1 is not an endpoint');
    expect(ok.stdout).toContain('<redacted>');
    expect(ok.stdout).not.toContain('hunter2');
    const typo = buildSandboxRoot(tempDir(), {
      endpoints: [],
      lanes: [],
      guard: { stale_manual_pause: 5 },
    });
    const bad = await laneguard(['--root', typo, 'config', 'check']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'config/local_model_idle_guard.json: stale_manual_pause: unknown key; did you mean "stale_manual_pause_sec"?',
    );
  });

  it('history filters by type and lane', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [{ id: 'a', urls: [models.server.baseUrl], pending: 1, continuous: true }],
    });
    await laneguard(['--root', root, 'once']);
    const started = await laneguard([
      '--root',
      root,
      'history',
      '--type',
      'lane_started',
      '--json',
    ]);
    const lines = started.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({ type: 'lane_started', lane: 'a' })]);
    const none = await laneguard(['--root', root, 'history', '--lane', 'b']);
    expect(none.stdout.trim()).toBe('no matching events');
    expect((await laneguard(['--root', root, 'history', '--since', 'later'])).code).toBe(2);
  });
});
