import path from 'node:path';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { fetchHttpClient } from '../fleet/http.js';
import { probeFleet } from '../fleet/probe-fleet.js';
import type { ProbeRecord } from '../fleet/status-file.js';
import { systemClock } from '../util/clock.js';
import { historyFor, loadFor } from './context.js';
import { EXIT_FAILED, EXIT_OK } from './errors.js';
import { clean, table } from './format.js';
import { globals, type CliIo } from './io.js';

/** `auto` endpoints show what was detected: `auto:ollama`. */
export function kindLabel(configured: string, probed: string): string {
  return configured === 'auto' ? `auto:${probed === 'auto' ? '?' : probed}` : configured;
}

/** An enabled endpoint that is neither ready nor starting makes `probe` exit 1. */
export function probeFailed(record: ProbeRecord): boolean {
  return record.enabled && !record.ready && record.state !== 'starting';
}

function modelsCell(r: ProbeRecord): string {
  if (r.state === 'disabled') return '-';
  return r.loaded_models === null
    ? String(r.models.length)
    : `${r.models.length} (${r.loaded_models.length} loaded)`;
}

export function printProbe(
  records: ProbeRecord[],
  config: LoadedConfig,
  out: (line: string) => void,
): void {
  const configured = new Map(config.endpoints.map((e) => [e.id, e.kind]));
  out(
    table(
      ['ENDPOINT', 'KIND', 'STATE', 'HEALTHY', 'LATENCY', 'MODELS', 'REASON'],
      records.map((r) => [
        r.id,
        kindLabel(configured.get(r.id) ?? r.kind, r.kind),
        r.state,
        r.healthy ? 'yes' : 'no',
        r.latency_ms === null ? '-' : `${r.latency_ms}ms`,
        modelsCell(r),
        clean(r.reason, 100),
      ]),
    ),
  );
}

export function registerProbe(program: Command, io: CliIo): void {
  program
    .command('probe')
    .description('probe every endpoint once (cheap calls, no tokens) and write fleet_status.json')
    .option(
      '--json',
      'print the probe section of fleet_status.json (and the state changes) as JSON',
    )
    .addHelpText(
      'after',
      `
Each endpoint is probed with the calls of its kind, all endpoints at once, each
bounded by its timeout_sec: openai/lmstudio GET /v1/models (LM Studio also
/api/v0/models), ollama GET /api/tags and /api/ps, llamacpp GET /health and
/props, vllm GET /health and /v1/models; auto detects the kind. A probe spends
no tokens unless the endpoint opts in to a canary (canary: {"model": ...}).

STATE: up (answers as expected), starting (llama.cpp loading its model, or
inside warmup_grace_sec), down, disabled. HEALTHY is what the guard decides
with: ready (up with a model) for healthy_after probes in a row, and not yet
failed unhealthy_after probes in a row.

The probe section of artifacts/autonomy/local_models/fleet_status.json is
rewritten (the capability scan is kept); state changes are recorded as
endpoint_state_changed events in the history.

Exit codes: 0 every enabled endpoint is ready or starting; 1 at least one
enabled endpoint is down, or up without a usable model; 2 usage or
configuration error.`,
    )
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = loadFor(globals(cmd));
      const { guard } = config;
      const probe = await probeFleet({
        endpoints: config.endpoints,
        statusFile: config.paths.fleetStatus,
        hysteresis: { healthyAfter: guard.healthy_after, unhealthyAfter: guard.unhealthy_after },
        concurrency: guard.probe_concurrency,
        http: fetchHttpClient,
        clock: systemClock,
      });
      const history = historyFor(config);
      for (const t of probe.transitions) history.append('endpoint_state_changed', { ...t });
      if (opts.json) {
        io.out(JSON.stringify({ ...probe.status.probe, transitions: probe.transitions }, null, 2));
      } else if (probe.records.length === 0) {
        io.out(
          `no endpoints configured in ${path.relative(config.root, config.paths.fleetConfig)}`,
        );
      } else {
        printProbe(probe.records, config, io.out);
        const s = probe.status.probe!.summary;
        io.out(
          `healthy: ${s.endpoint_healthy} of ${s.endpoint_total} enabled  (written to ${path.relative(config.root, config.paths.fleetStatus)})`,
        );
      }
      io.exitCode = probe.records.some(probeFailed) ? EXIT_FAILED : EXIT_OK;
    });
}
