import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { endpointForUrl } from '../fleet/view.js';
import { createLaneAdapter } from '../lanes/factory.js';
import { loadFor } from './context.js';
import { EXIT_FAILED, EXIT_OK } from './errors.js';
import { globals, type CliIo } from './io.js';

/** The effective config with secrets (header values) replaced. */
export function redacted(config: LoadedConfig): unknown {
  return {
    root: config.root,
    guard: config.guard,
    endpoints: config.endpoints.map((e) => ({ ...e, headers: Object.fromEntries(Object.keys(e.headers).map((k) => [k, '<redacted>'])) })),
    paths: config.paths,
  };
}

export function registerConfig(program: Command, io: CliIo): void {
  const config = program.command('config').description('configuration tools');
  config
    .command('check')
    .description('validate every config file of the root and print the effective config')
    .option('--json', 'print the effective config as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const loaded = loadFor(globals(cmd));
      const warnings = [...loaded.warnings];
      const read = await createLaneAdapter(loaded).read(new Date());
      const endpoints = loaded.endpoints.map((e) => ({ id: e.id, baseUrl: e.base_url }));
      for (const lane of read.lanes) {
        for (const url of lane.endpointUrls) {
          if (endpointForUrl(url, endpoints) === null) warnings.push(`lane ${lane.id}: ${url} is not an endpoint of config/local_model_fleet.json (it can never count as healthy)`);
        }
      }
      const laneErrors = read.errors.map((e) => `${e.id}: ${e.error}`);
      if (opts.json) {
        io.out(JSON.stringify({ ok: laneErrors.length === 0, config: redacted(loaded), not_performed: loaded.notPerformed, warnings, lane_errors: laneErrors }, null, 2));
      } else {
        io.out(JSON.stringify(redacted(loaded), null, 2));
        io.out(`\n${loaded.endpoints.length} endpoint(s), ${read.lanes.length} lane(s) readable, source ${loaded.guard.lanes.source}`);
        for (const key of loaded.notPerformed) io.out(`not performed: ${key}`);
        for (const w of warnings) io.out(`warning: ${w}`);
        for (const e of laneErrors) io.out(`lane error: ${e}`);
        io.out(laneErrors.length === 0 ? 'config OK' : 'config loaded, but some lanes cannot be read');
      }
      io.exitCode = laneErrors.length === 0 ? EXIT_OK : EXIT_FAILED;
    });
}
