import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigErrors } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { tempDir } from '../helpers/tmp.js';

/** `undefined` guard = no guard file; `null` fleet = no fleet file. */
function root(
  guard: unknown,
  fleet: unknown = { endpoints: [{ id: 'a', base_url: 'http://127.0.0.1:1234/v1' }] },
): string {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'config'));
  if (guard !== undefined)
    writeFileSync(
      path.join(dir, 'config/local_model_idle_guard.json'),
      typeof guard === 'string' ? guard : JSON.stringify(guard),
    );
  if (fleet !== null)
    writeFileSync(
      path.join(dir, 'config/local_model_fleet.json'),
      typeof fleet === 'string' ? fleet : JSON.stringify(fleet),
    );
  return dir;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err instanceof ConfigError || err instanceof ConfigErrors).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a config error');
}

describe('guard config', () => {
  it('keeps the original defaults when the file is absent', () => {
    const c = loadConfig({ root: root(undefined) });
    expect(c.guard).toMatchObject({
      interval_sec: 30,
      fleet_probe_interval_sec: 120,
      fleet_capability_scan_interval_sec: 600,
      minimum_healthy_endpoints: 1,
      auto_unpause_local_lanes: true,
      stale_manual_pause_sec: 600,
      max_auto_starts_per_cycle: 4,
      allow_blocked_recovery: true,
      require_local_only: true,
      require_pending_work: true,
      queue_depth_enables_start: true,
      idle_alert_threshold_cycles: 6,
      mode: 'hybrid',
      start_verify_sec: 5,
      ensure_interval_sec: 300,
      healthy_after: 1,
      unhealthy_after: 2,
    });
    expect(c.guard.lanes.start_command).toEqual([
      'python3',
      '-m',
      'orxaq_autonomy.cli',
      '--root',
      '{root}',
      'lane-start',
      '--lane',
      '{lane}',
    ]);
    expect(c.guard.backoff).toEqual({ initial_sec: 10, max_sec: 300, reset_after_sec: 600 });
    expect(c.guard.circuit_breaker).toEqual({ failures: 5, window_sec: 600, open_sec: 900 });
    expect(c.guard.history).toEqual({ max_bytes: 16 * 1024 * 1024, keep_files: 5 });
    expect(Object.isFrozen(c.guard.lanes)).toBe(true);
  });

  it('names the file, the unknown key and the nearest valid one', () => {
    const msg = errorOf(() => loadConfig({ root: root({ intervl_sec: 10 }) }));
    expect(msg).toBe(
      'config/local_model_idle_guard.json: intervl_sec: unknown key; did you mean "interval_sec"?',
    );
  });

  it('finds unknown keys inside sections too', () => {
    const msg = errorOf(() => loadConfig({ root: root({ backoff: { inital_sec: 5 } }) }));
    expect(msg).toContain('backoff.inital_sec: unknown key; did you mean "initial_sec"?');
  });

  it('reports every problem at once, with the key path', () => {
    const msg = errorOf(() =>
      loadConfig({ root: root({ interval_sec: -1, mode: 'fast', lanes: { start_command: [] } }) }),
    );
    expect(msg).toContain('interval_sec:');
    expect(msg).toContain('mode:');
    expect(msg).toContain('lanes.start_command:');
  });

  it('accepts revive_* and backlog_recycle_* but reports them as not performed', () => {
    const c = loadConfig({
      root: root({ revive_stalled_tasks: true, backlog_recycle_enabled: true }),
    });
    expect(c.notPerformed).toEqual(['revive_stalled_tasks', 'backlog_recycle_enabled']);
    expect(c.warnings.join('\n')).toMatch(/revive_stalled_tasks is accepted but not performed/);
  });

  it('points revive_stalled_state_on_idle to restart_stalled; stall keys have their defaults', () => {
    const c = loadConfig({ root: root({ revive_stalled_state_on_idle: true }) });
    const warning = c.warnings.find((w) => w.startsWith('revive_stalled_state_on_idle'));
    expect(warning).toMatch(/not performed.*set restart_stalled/);
    expect(c.guard).toMatchObject({
      stalled_after_sec: 900,
      restart_stalled: false,
      max_auto_restarts_per_cycle: 1,
    });
    expect(c.guard.lanes.stop_command).toEqual([
      'python3',
      '-m',
      'orxaq_autonomy.cli',
      '--root',
      '{root}',
      'lane-stop',
      '--lane',
      '{lane}',
    ]);
    expect(c.guard.lanes.stop_timeout_sec).toBe(30);
    expect(() => loadConfig({ root: root({ lanes: { stop_timeout: 5 } }) })).toThrow(
      /lanes\.stop_timeout: unknown key; did you mean "stop_timeout_sec"\?/,
    );
  });

  it('accepts any positive interval and warns below the original minimums', () => {
    const c = loadConfig({ root: root({ interval_sec: 1, fleet_probe_interval_sec: 2 }) });
    expect(c.guard.interval_sec).toBe(1);
    expect(c.warnings.some((w) => w.startsWith('interval_sec = 1s'))).toBe(true);
    expect(c.warnings.some((w) => w.startsWith('fleet_probe_interval_sec = 2s'))).toBe(true);
  });

  it('resolves paths against the root, never the working directory', () => {
    const dir = root({ report_file: 'out/report.json' });
    const c = loadConfig({ root: dir });
    expect(c.paths.report).toBe(path.join(dir, 'out/report.json'));
    expect(c.paths.lanesFile).toBe(path.join(dir, 'config/lanes.json'));
    expect(c.paths.state).toBe(
      path.join(dir, 'artifacts/autonomy/local_models/idle_guard_state.json'),
    );
  });

  it('refuses a relative path that leaves the root', () => {
    const msg = errorOf(() => loadConfig({ root: root({ state_file: '../../etc/state.json' }) }));
    expect(msg).toMatch(/state_file: "\.\.\/\.\.\/etc\/state\.json" leaves the fleet root/);
  });

  it('explains invalid JSON with the file name', () => {
    expect(errorOf(() => loadConfig({ root: root('{"interval_sec": 30,') }))).toMatch(
      /^config\/local_model_idle_guard\.json: not valid JSON/,
    );
  });

  it('requires a status_command for the command source', () => {
    expect(errorOf(() => loadConfig({ root: root({ lanes: { source: 'command' } }) }))).toMatch(
      /lanes\.status_command: is required/,
    );
  });

  it('rejects an invalid cmdline_pattern', () => {
    expect(errorOf(() => loadConfig({ root: root({ lanes: { cmdline_pattern: '([' } }) }))).toMatch(
      /lanes\.cmdline_pattern: not a valid regular expression/,
    );
  });
});

describe('fleet config', () => {
  it("accepts and ignores the original file's other sections", () => {
    const c = loadConfig({
      root: root(
        {},
        {
          routing: { x: 1 },
          benchmark: {},
          target_models: [],
          endpoints: [
            { id: 'lm', base_url: 'http://127.0.0.1:1234/v1', role: 'coder', max_parallel: 2 },
          ],
        },
      ),
    });
    expect(c.endpoints).toEqual([
      expect.objectContaining({
        id: 'lm',
        kind: 'auto',
        max_parallel: 2,
        timeout_sec: 5,
        enabled: true,
        heartbeat: false,
      }),
    ]);
  });

  it('names the endpoint and key of an error', () => {
    const msg = errorOf(() =>
      loadConfig({ root: root({}, { endpoints: [{ id: 'lm', base_url: 'ftp://x' }] }) }),
    );
    expect(msg).toContain('endpoints[0].base_url (endpoint "lm")');
  });

  it('rejects an unknown endpoint key with a suggestion', () => {
    expect(
      errorOf(() =>
        loadConfig({
          root: root({}, { endpoints: [{ id: 'lm', base_url: 'http://h/v1', max_paralel: 2 }] }),
        }),
      ),
    ).toContain('did you mean "max_parallel"?');
  });

  it('rejects duplicate ids and bad ids', () => {
    expect(
      errorOf(() =>
        loadConfig({
          root: root(
            {},
            {
              endpoints: [
                { id: 'a', base_url: 'http://h/v1' },
                { id: 'a', base_url: 'http://i/v1' },
              ],
            },
          ),
        }),
      ),
    ).toMatch(/duplicate endpoint id "a"/);
    expect(
      errorOf(() =>
        loadConfig({ root: root({}, { endpoints: [{ id: 'a b', base_url: 'http://h/v1' }] }) }),
      ),
    ).toMatch(/endpoints\[0\]\.id/);
  });

  it('resolves ${ENV} header references, and names a missing variable without its value', () => {
    const c = loadConfig({
      root: root(
        {},
        {
          endpoints: [
            {
              id: 'a',
              base_url: 'http://h/v1',
              headers: { Authorization: 'Bearer ${LG_TEST_TOKEN}' },
            },
          ],
        },
      ),
      env: { LG_TEST_TOKEN: 's3cret' },
    });
    expect(c.endpoints[0]!.headers.Authorization).toBe('Bearer s3cret');
    const msg = errorOf(() =>
      loadConfig({
        root: root(
          {},
          {
            endpoints: [
              {
                id: 'a',
                base_url: 'http://h/v1',
                headers: { Authorization: 'Bearer ${LG_MISSING}' },
              },
            ],
          },
        ),
        env: {},
      }),
    );
    expect(msg).toBe(
      'config/local_model_fleet.json: endpoints[0].headers.Authorization: refers to environment variable LG_MISSING, which is not set; export it before starting laneguard',
    );
  });

  it('is required, with a hint', () => {
    expect(errorOf(() => loadConfig({ root: root({}, null) }))).toMatch(
      /local_model_fleet\.json: not found; create it/,
    );
  });
});
