import path from 'node:path';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { fetchHttpClient } from '../fleet/http.js';
import {
  DEFAULT_HEARTBEAT_INTERVAL_SEC,
  heartbeatEndpoints,
  heartbeatRound,
  runHeartbeat,
  type HeartbeatOptions,
  type HeartbeatRound,
} from '../heartbeat/heartbeat.js';
import type { HeartbeatEntry } from '../heartbeat/state.js';
import { systemClock } from '../util/clock.js';
import { historyFor, loadFor } from './context.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from './errors.js';
import { clean, table } from './format.js';
import { globals, type CliIo } from './io.js';

function options(config: LoadedConfig): HeartbeatOptions {
  return {
    endpoints: config.endpoints,
    stateFile: config.paths.heartbeatState,
    http: fetchHttpClient,
    clock: systemClock,
    history: historyFor(config),
  };
}

function printEntries(entries: HeartbeatEntry[], out: (line: string) => void): void {
  out(
    table(
      ['ENDPOINT', 'KIND', 'OK', 'STATE', 'LATENCY', 'KEEP-WARM', 'REASON'],
      entries.map((e) => [
        e.endpoint,
        e.kind,
        e.ok ? 'yes' : 'no',
        e.state,
        e.latency_ms === null ? '-' : `${e.latency_ms}ms`,
        e.keep_warm ? `${e.keep_warm.model} ${e.keep_warm.ok ? 'ok' : 'failed'}` : '-',
        clean(e.reason, 100),
      ]),
    ),
  );
}

function noTargets(config: LoadedConfig): string {
  return `no enabled endpoint in ${path.relative(config.root, config.paths.fleetConfig)} has "heartbeat": true; set it on the endpoints to keep warm`;
}

const HELP = `
For every enabled endpoint with "heartbeat": true: a cheap probe of its kind
(no tokens) and, when "keep_warm": {"model": ...} is set, one chat completion
with max_tokens: 1 on that model so the server keeps it loaded (a remote LM
Studio that unloads idle models, say).

Results go to artifacts/autonomy/local_models/heartbeat_state.json; a
heartbeat_changed event is written to the history when an endpoint's result
(ok, state) changes, and only then.`;

export function registerHeartbeat(program: Command, io: CliIo): void {
  const heartbeat = program
    .command('heartbeat')
    .description('keep-warm / liveness pings for endpoints marked "heartbeat": true (once | run)')
    .addHelpText('after', HELP);

  heartbeat
    .command('once')
    .description('one heartbeat of every heartbeat endpoint, then exit')
    .option('--json', 'print the heartbeat state as JSON')
    .addHelpText(
      'after',
      `${HELP}\n\nExit codes: 0 every heartbeat endpoint is ok (also when none is configured);\n1 one is not; 2 usage or configuration error.`,
    )
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = loadFor(globals(cmd));
      if (heartbeatEndpoints(config.endpoints).length === 0) {
        io.out(
          opts.json
            ? JSON.stringify(
                {
                  version: 1,
                  updated_at: null,
                  endpoints: {},
                  changes: [],
                  note: noTargets(config),
                },
                null,
                2,
              )
            : noTargets(config),
        );
        return;
      }
      const round = await heartbeatRound(options(config));
      if (opts.json) io.out(JSON.stringify({ ...round.state, changes: round.changes }, null, 2));
      else printEntries(round.entries, io.out);
      io.exitCode = round.entries.every((e) => e.ok) ? EXIT_OK : EXIT_FAILED;
    });

  heartbeat
    .command('run')
    .description('heartbeat every --interval seconds until SIGTERM or SIGINT')
    .option(
      '--interval <sec>',
      'seconds between heartbeats (start to start)',
      String(DEFAULT_HEARTBEAT_INTERVAL_SEC),
    )
    .option('--json', 'print every round as one JSON line')
    .addHelpText(
      'after',
      `${HELP}\n\nPrints each change as it happens. SIGTERM or SIGINT stops it after the\nheartbeat in flight.\n\nExit codes: 0 stopped by a signal; 2 usage or configuration error (also when\nno endpoint has "heartbeat": true).`,
    )
    .action(async (opts: { interval: string; json?: boolean }, cmd: Command) => {
      const intervalSec = Number(opts.interval);
      if (!Number.isFinite(intervalSec) || intervalSec <= 0)
        throw new UsageError(
          `--interval must be a positive number of seconds, got ${JSON.stringify(opts.interval)}`,
        );
      const config = loadFor(globals(cmd));
      const targets = heartbeatEndpoints(config.endpoints);
      if (targets.length === 0) throw new UsageError(noTargets(config));
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      if (!opts.json)
        io.out(
          `heartbeat: ${targets.map((e) => e.id).join(', ')} every ${intervalSec}s; state in ${path.relative(config.root, config.paths.heartbeatState)}`,
        );
      const onRound = (round: HeartbeatRound): void => {
        if (opts.json) {
          io.out(
            JSON.stringify({
              at: round.state.updated_at,
              endpoints: round.entries,
              changes: round.changes,
            }),
          );
          return;
        }
        for (const c of round.changes)
          io.out(
            `${round.state.updated_at} ${c.endpoint}: ${c.from_ok === null ? 'first' : c.from_ok ? 'ok' : 'failing'} -> ${c.to_ok ? 'ok' : 'failing'} (${c.to_state}) ${clean(c.reason, 120)}`,
          );
      };
      try {
        const onError = (err: Error): void => io.err(`heartbeat round failed: ${err.message}`);
        const rounds = await runHeartbeat({
          ...options(config),
          intervalSec,
          signal: controller.signal,
          onRound,
          onError,
        });
        if (!opts.json) io.out(`heartbeat stopped after ${rounds} round(s)`);
      } finally {
        process.removeListener('SIGTERM', stop);
        process.removeListener('SIGINT', stop);
      }
      io.exitCode = EXIT_OK;
    });
}
