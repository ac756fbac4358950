import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigErrors } from '../../src/config/errors.js';
import { loadWatchdogConfig } from '../../src/config/watchdog.js';
import { tempDir } from '../helpers/tmp.js';

const FILE = 'config/local_model_process_watchdog.json';

function rootWith(config: unknown, extra: Record<string, string> = {}): string {
  const root = tempDir();
  mkdirSync(path.join(root, 'config'), { recursive: true });
  writeFileSync(
    path.join(root, FILE),
    typeof config === 'string' ? config : JSON.stringify(config),
  );
  for (const [file, text] of Object.entries(extra)) writeFileSync(path.join(root, file), text);
  return root;
}

const proc = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'serve',
  pid_file: 'artifacts/autonomy/local_models/serve.pid',
  match_regex: 'laneguard.*\\sserve(\\s|$)',
  restart_command: ['laneguard', '--root', '{root}', 'serve'],
  ...over,
});

function errorsOf(root: string): ConfigError[] {
  try {
    loadWatchdogConfig(root);
  } catch (err) {
    if (err instanceof ConfigErrors) return err.errors;
    if (err instanceof ConfigError) return [err];
    throw err;
  }
  throw new Error('expected a config error');
}

describe('watchdog config', () => {
  it('fills defaults and resolves every path against the root, never the working directory', () => {
    const root = rootWith({
      processes: [proc({ health: { file: 'run/serve.health', max_age_sec: 60 } })],
    });
    const config = loadWatchdogConfig(root);
    expect(config.intervalSec).toBe(30);
    expect(config.stateFile).toBe(
      path.join(root, 'artifacts/autonomy/local_models/process_watchdog_state.json'),
    );
    expect(config.historyFile).toBe(
      path.join(root, 'artifacts/autonomy/local_models/process_watchdog_history.ndjson'),
    );
    expect(config.pidFile).toBe(
      path.join(root, 'artifacts/autonomy/local_models/process_watchdog.pid'),
    );
    expect(config.logFile).toBe(
      path.join(root, 'artifacts/autonomy/local_models/process_watchdog.log'),
    );
    const p = config.processes[0]!;
    expect(p).toMatchObject({
      enabled: true,
      role: 'configured',
      pidFile: path.join(root, 'artifacts/autonomy/local_models/serve.pid'),
      cwd: root,
      logFile: path.join(root, 'artifacts/autonomy/local_models/watchdog_serve.log'),
      restartCommand: ['laneguard', '--root', root, 'serve'],
      health: { kind: 'file', file: path.join(root, 'run/serve.health'), maxAgeSec: 60 },
      backoff: { initialSec: 10, maxSec: 300, jitterRatio: 0.2 },
      startLimit: { burst: 5, intervalSec: 600 },
    });
    expect(Object.isFrozen(config.processes[0])).toBe(true);
  });

  it('an HTTP health check with its timeout', () => {
    const root = rootWith({
      processes: [proc({ health: { http: 'http://127.0.0.1:9477/-/healthy', timeout_sec: 2 } })],
    });
    expect(loadWatchdogConfig(root).processes[0]!.health).toEqual({
      kind: 'http',
      url: 'http://127.0.0.1:9477/-/healthy',
      timeoutSec: 2,
    });
  });

  it.each([
    [{ intervall_sec: 5, processes: [] }, 'intervall_sec', 'did you mean "interval_sec"?'],
    [
      { processes: [proc({ restart_cmd: ['x'] })] },
      'processes[0].restart_cmd (process "serve")',
      'did you mean "restart_command"?',
    ],
    [
      { processes: [proc({ health: { file: 'h', max_age_secs: 5 } })] },
      'processes[0].health.max_age_secs (process "serve")',
      'did you mean "max_age_sec"?',
    ],
    [
      { processes: [proc({ start_limit: { bursts: 3 } })] },
      'processes[0].start_limit.bursts (process "serve")',
      'did you mean "burst"?',
    ],
  ])('unknown key → names the key and the nearest valid one (%#)', (config, key, hint) => {
    const [error] = errorsOf(rootWith(config));
    expect(error!.code).toBe('CONFIG_UNKNOWN_KEY');
    expect(error!.file).toBe(FILE);
    expect(error!.key).toBe(key);
    expect(error!.message).toContain(hint);
  });

  it.each([
    [proc({ id: 'no spaces!' }), 'processes[0].id (process "no spaces!")', 'must match'],
    [proc({ id: '-leading-dash' }), 'processes[0].id (process "-leading-dash")', 'must match'],
    [proc({ id: 'x'.repeat(65) }), `processes[0].id (process "${'x'.repeat(65)}")`, 'must match'],
    [
      proc({ restart_command: [] }),
      'processes[0].restart_command (process "serve")',
      'at least the program',
    ],
    [
      proc({ health: { http: 'http://a/', file: 'b', max_age_sec: 1 } }),
      'processes[0].health (process "serve")',
      'exactly one of',
    ],
    [
      proc({ health: { file: 'b' } }),
      'processes[0].health.max_age_sec (process "serve")',
      'is required with "file"',
    ],
    [
      proc({ backoff: { jitter_ratio: 2 } }),
      'processes[0].backoff.jitter_ratio (process "serve")',
      '',
    ],
  ])('invalid value → names the key (%#)', (p, key, text) => {
    const [error] = errorsOf(rootWith({ processes: [p] }));
    expect(error!.code).toBe('CONFIG_INVALID_VALUE');
    expect(error!.key).toBe(key);
    expect(error!.message).toContain(text);
  });

  it('an invalid match_regex is a config error naming the key', () => {
    const [error] = errorsOf(rootWith({ processes: [proc({ match_regex: 'serve(' })] }));
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID_VALUE',
      file: FILE,
      key: 'processes[0].match_regex (process "serve")',
    });
    expect(error!.message).toContain('not a valid regular expression');
  });

  it('duplicate ids, paths leaving the root, a missing file', () => {
    expect(errorsOf(rootWith({ processes: [proc(), proc()] }))[0]).toMatchObject({
      key: 'processes[1].id',
      message: expect.stringContaining('duplicate process id "serve"'),
    });
    expect(
      errorsOf(rootWith({ processes: [proc({ pid_file: '../elsewhere.pid' })] }))[0],
    ).toMatchObject({
      code: 'CONFIG_PATH_ESCAPES',
      key: 'processes[0].pid_file (process "serve")',
    });
    const withoutFile = tempDir();
    mkdirSync(path.join(withoutFile, 'config'));
    const missing = errorsOf(withoutFile)[0]!;
    expect(missing.code).toBe('CONFIG_NOT_FOUND');
    expect(missing.message).toContain('create it with');
    // A root without config/, or no root at all, is named as such with its absolute path.
    const bare = tempDir();
    expect(errorsOf(bare)[0]!.message).toBe(
      `${bare}: the fleet root has no config/ directory; pass --root DIR (or set LANEGUARD_ROOT) to the directory that holds config/local_model_fleet.json`,
    );
    expect(errorsOf(path.join(bare, 'nope'))[0]!.message).toBe(
      `${path.join(bare, 'nope')}: the fleet root does not exist; pass --root DIR (or set LANEGUARD_ROOT) to the directory that holds config/`,
    );
  });

  it("follows the guard config's watchdog_config_file, and a broken guard config does not stop it", () => {
    const root = rootWith({ processes: [] });
    mkdirSync(path.join(root, 'etc'));
    writeFileSync(
      path.join(root, 'etc/wd.json'),
      JSON.stringify({ interval_sec: 7, processes: [] }),
    );
    writeFileSync(
      path.join(root, 'config/local_model_idle_guard.json'),
      JSON.stringify({ watchdog_config_file: 'etc/wd.json' }),
    );
    expect(loadWatchdogConfig(root)).toMatchObject({ intervalSec: 7, file: 'etc/wd.json' });
    writeFileSync(path.join(root, 'config/local_model_idle_guard.json'), '{ not json');
    expect(loadWatchdogConfig(root)).toMatchObject({ intervalSec: 30, file: FILE });
  });
});
