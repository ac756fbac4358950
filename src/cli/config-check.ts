import type { Command } from 'commander';
import { ConfigError, ConfigErrors } from '../config/errors.js';
import type { LoadedConfig } from '../config/load.js';
import { loadWatchdogConfig, type WatchdogConfig } from '../config/watchdog.js';
import { checkWatchdogRuntime } from '../config/watchdog-check.js';
import { describeRole } from '../config/watchdog-roles.js';
import { endpointForUrl } from '../core/fleet/view.js';
import { createLaneAdapter } from '../lanes/factory.js';
import { loadFor } from './context.js';
import { EXIT_FAILED, EXIT_OK } from './errors.js';
import { globals, type CliIo } from './io.js';

/** The effective config with secrets (header values) replaced. */
export function redacted(config: LoadedConfig): unknown {
  return {
    root: config.root,
    guard: config.guard,
    endpoints: config.endpoints.map((e) => ({
      ...e,
      headers: Object.fromEntries(Object.keys(e.headers).map((k) => [k, '<redacted>'])),
    })),
    paths: config.paths,
  };
}

/** The watchdog config, validated as strictly as the others; null when the root has none. */
function checkedWatchdog(root: string): WatchdogConfig | null {
  let watchdog: WatchdogConfig;
  try {
    watchdog = loadWatchdogConfig(root);
  } catch (err) {
    if (err instanceof ConfigError && err.code === 'CONFIG_NOT_FOUND') return null;
    throw err;
  }
  const problems = checkWatchdogRuntime(watchdog);
  if (problems.length > 0) throw new ConfigErrors(problems);
  return watchdog;
}

function watchdogSummary(watchdog: WatchdogConfig): Array<Record<string, unknown>> {
  return watchdog.processes.map((p) => ({
    id: p.id,
    role: p.role,
    enabled: p.enabled,
    does: p.enabled ? describeRole(p.role) : (p.note ?? 'disabled in config (enabled: false)'),
    restart_command: p.restartCommand,
    cwd: p.cwd,
    replaced: p.replaced
      ? {
          match_regex: p.replaced.matchRegex,
          restart_command: p.replaced.restartCommand,
          cwd: p.replaced.cwd,
        }
      : null,
  }));
}

export function registerConfig(program: Command, io: CliIo): void {
  const config = program.command('config').description('configuration tools');
  config
    .command('check')
    .description(
      'validate every config file of the root (guard, fleet, lanes, watchdog) and print the effective config',
    )
    .option('--json', 'print the effective config as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const loaded = loadFor(globals(cmd));
      // What serve reads at start-up besides the config files: the token and basic auth password.
      // (Imported here: commands registered beside this one must not load the HTTP layer.)
      const { loadCredentials, parseListen } = await import('../http/auth.js');
      loadCredentials(loaded, process.env);
      parseListen(loaded.guard.server.listen);
      const watchdog = checkedWatchdog(loaded.root);
      const warnings = [...loaded.warnings];
      const read = await createLaneAdapter(loaded).read(new Date());
      const endpoints = loaded.endpoints.map((e) => ({ id: e.id, baseUrl: e.base_url }));
      for (const lane of read.lanes) {
        for (const url of lane.endpointUrls) {
          if (endpointForUrl(url, endpoints) === null)
            warnings.push(
              `lane ${lane.id}: ${url} is not an endpoint of config/local_model_fleet.json (it can never count as healthy)`,
            );
        }
      }
      const laneErrors = read.errors.map((e) => `${e.id}: ${e.error}`);
      const processes = watchdog ? watchdogSummary(watchdog) : [];
      if (opts.json) {
        io.out(
          JSON.stringify(
            {
              ok: laneErrors.length === 0,
              config: redacted(loaded),
              watchdog: watchdog ? { file: watchdog.file, processes } : null,
              not_performed: loaded.notPerformed,
              warnings,
              lane_errors: laneErrors,
            },
            null,
            2,
          ),
        );
      } else {
        io.out(JSON.stringify(redacted(loaded), null, 2));
        io.out(
          `\n${loaded.endpoints.length} endpoint(s), ${read.lanes.length} lane(s) readable, source ${loaded.guard.lanes.source}`,
        );
        if (watchdog) {
          io.out(`watchdog (${watchdog.file}): ${watchdog.processes.length} process(es)`);
          for (const p of processes) {
            const replaced = p.replaced as { restart_command: string[] } | null;
            io.out(
              `  ${String(p.id)}: ${String(p.does)}${replaced ? ` (its restart_command ${JSON.stringify(replaced.restart_command)} is not run)` : ''}`,
            );
          }
        } else io.out('watchdog: no config file (laneguard watchdog has nothing to supervise)');
        // Each not-performed key appears once, among the warnings, with what replaces it.
        for (const w of warnings) io.out(`warning: ${w}`);
        for (const e of laneErrors) io.out(`lane error: ${e}`);
        io.out(
          laneErrors.length === 0 ? 'config OK' : 'config loaded, but some lanes cannot be read',
        );
      }
      io.exitCode = laneErrors.length === 0 ? EXIT_OK : EXIT_FAILED;
    });
}
