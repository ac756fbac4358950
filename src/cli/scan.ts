import path from 'node:path';
import type { Command } from 'commander';
import { fetchHttpClient } from '../fleet/http.js';
import { scanFleet } from '../fleet/scan.js';
import type { ScanRecord } from '../fleet/scan-record.js';
import { systemClock } from '../util/clock.js';
import { historyFor, loadFor } from './context.js';
import { EXIT_FAILED, EXIT_OK } from './errors.js';
import { clean, table } from './format.js';
import { globals, type CliIo } from './io.js';
import { kindLabel } from './probe.js';

export function printScan(
  records: ScanRecord[],
  configuredKinds: Map<string, string>,
  out: (line: string) => void,
): void {
  out(
    table(
      [
        'ENDPOINT',
        'KIND',
        'SCAN',
        'MODELS',
        'LOADED',
        'CONTEXT',
        'SLOTS',
        'PARALLEL c/r/e',
        'NOTE',
      ],
      records.map((r) => [
        r.id,
        kindLabel(configuredKinds.get(r.id) ?? r.kind, r.kind),
        r.ok ? 'ok' : 'failed',
        r.models.length,
        r.loaded_models === null ? '?' : r.loaded_models.length,
        r.max_context_tokens,
        r.slots,
        `${r.configured_parallel}/${r.recommended_parallel}${r.recommended_source === 'configured' ? '*' : ''}/${r.effective_parallel}`,
        clean(r.ok ? r.reason : (r.error ?? r.reason), 100),
      ]),
    ),
  );
}

export function registerScan(program: Command, io: CliIo): void {
  program
    .command('scan')
    .description(
      'read what every enabled endpoint can do (context, loaded models, slots) and write it to fleet_status.json',
    )
    .option('--json', 'print the capability_scan section of fleet_status.json as JSON')
    .addHelpText(
      'after',
      `
The capability scan asks each backend what it tells cheaply: LM Studio
/api/v0/models (max_context_length, loaded state), Ollama /api/tags, /api/ps
and POST /api/show (context length), llama.cpp /props (n_ctx, total_slots),
vLLM /v1/models (max_model_len). No tokens are spent.

PARALLEL c/r/e: configured max_parallel / recommended (discovered slots, or
the configured value when the backend does not tell, marked *) / effective =
min(configured, recommended), which the guard's capacity gate uses.

The daemon scans every fleet_capability_scan_interval_sec; a failed scan is
retried with backoff (60 s doubling up to 1 h). This command scans every
enabled endpoint now. The capability_scan section of
artifacts/autonomy/local_models/fleet_status.json is rewritten; the probe
results are kept.

Exit codes: 0 every enabled endpoint was scanned; 1 a scan failed; 2 usage or
configuration error.`,
    )
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = loadFor(globals(cmd));
      const scan = await scanFleet({
        endpoints: config.endpoints,
        statusFile: config.paths.fleetStatus,
        http: fetchHttpClient,
        clock: systemClock,
        intervalSec: config.guard.fleet_capability_scan_interval_sec,
        force: true,
        history: historyFor(config),
      });
      if (opts.json) {
        io.out(JSON.stringify(scan.section, null, 2));
      } else if (scan.records.length === 0) {
        io.out(`no enabled endpoints in ${path.relative(config.root, config.paths.fleetConfig)}`);
      } else {
        printScan(scan.records, new Map(config.endpoints.map((e) => [e.id, e.kind])), io.out);
        io.out(
          `scanned ${scan.scanned.length} endpoint(s)  (written to ${path.relative(config.root, config.paths.fleetStatus)})`,
        );
      }
      io.exitCode = scan.scanned.some((r) => !r.ok) ? EXIT_FAILED : EXIT_OK;
    });
}
