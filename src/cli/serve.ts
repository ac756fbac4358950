import type { Command } from 'commander';
import { daemonStatus, startDaemon, stopDaemon } from '../serve/daemon.js';
import { systemClock } from '../util/clock.js';
import { laneguardMain } from '../util/self.js';
import { loadFor, resolveRoot } from './context.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from './errors.js';
import { age } from './format.js';
import { stopServeWatchdog, watchdogDaemonStatus } from './daemons.js';
import { globals, type CliIo } from './io.js';
import { refuseBesideReplacedGuard } from './replaced-guard.js';
import type { LoadedConfig } from '../config/load.js';

function stamp(line: string): string {
  return `${new Date().toISOString()} ${line}`;
}

/** A `--listen` value is checked here, so its errors name the flag rather than the config file. */
async function checkListenFlag(listen: string, config: LoadedConfig): Promise<void> {
  // Loaded here, not at start-up: the one-shot commands never load the HTTP layer.
  const { hasCredentials, isLoopbackListen, listenProblem, loadCredentials } =
    await import('../http/auth.js');
  const problem = listenProblem(listen);
  if (problem) throw new UsageError(`--listen: ${problem}`);
  if (!isLoopbackListen(listen) && !hasCredentials(loadCredentials(config, process.env))) {
    throw new UsageError(
      `--listen: refusing to listen on ${listen} without a token: set server.token_file (or LANEGUARD_WEBHOOK_TOKEN), or listen on 127.0.0.1`,
    );
  }
}

export function registerServe(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description(
      'run the guard in the foreground: schedule + HTTP server (metrics, webhook, API, status page)',
    )
    .option('--listen <host:port>', 'override server.listen (default 127.0.0.1:9477)')
    .addHelpText(
      'after',
      '\nStops cleanly on SIGTERM/SIGINT (the running cycle finishes first);\nSIGHUP or POST /-/reload reloads the config (an invalid one keeps the old).',
    )
    .action(async (opts: { listen?: string }, cmd: Command) => {
      const root = resolveRoot(globals(cmd));
      const loaded = loadFor(globals(cmd));
      refuseBesideReplacedGuard(loaded);
      if (opts.listen !== undefined) await checkListenFlag(opts.listen, loaded);
      const log = (line: string): void => io.out(stamp(line));
      // Loaded here, not at start-up: only `serve` needs express, the HTTP layer and the page renderer.
      const { startServer } = await import('../serve/serve.js');
      const running = await startServer({ root, clock: systemClock, log, listen: opts.listen });
      const { config } = running.service;
      log(
        `laneguard serve on ${running.url} (root ${config.root}, mode ${config.guard.mode}${config.guard.dry_run ? ', DRY RUN' : ''})`,
      );
      log(
        `metrics ${running.url}/metrics  status ${running.url}/  api ${running.url}/api/v1/status`,
      );
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string): void => {
          log(`${signal}: finishing the running cycle, then stopping`);
          running.stop(signal).then(resolve, resolve);
        };
        process.once('SIGTERM', () => shutdown('SIGTERM'));
        process.once('SIGINT', () => shutdown('SIGINT'));
        process.on('SIGHUP', () => running.service.reload('SIGHUP'));
      });
      log('stopped');
      io.exitCode = EXIT_OK;
    });

  program
    .command('start')
    .description(
      'start `serve` in the background (pid file and log file under artifacts/autonomy/local_models/)',
    )
    .option('--listen <host:port>', 'override server.listen for this serve')
    .action(async (opts: { listen?: string }, cmd: Command) => {
      const config = loadFor(globals(cmd));
      refuseBesideReplacedGuard(config);
      const result = await startDaemon(
        config,
        laneguardMain(),
        15_000,
        opts.listen ? ['--listen', opts.listen] : [],
      );
      io.out(result.message);
      io.exitCode =
        result.started || result.message.startsWith('already running') ? EXIT_OK : EXIT_FAILED;
    });

  program
    .command('stop')
    .description(
      'stop the background `serve` and the watchdog it started: SIGTERM, wait, then SIGKILL after the grace period',
    )
    .option('--grace <sec>', 'seconds to wait for a clean stop before killing', '30')
    .addHelpText(
      'after',
      "\nThe watchdog goes first (else it would restart serve), then serve, then the\nwatchdog once more in case serve restarted it meanwhile. With\nsupervise_watchdog: false the watchdog is not serve's and is left running.",
    )
    .action(async (opts: { grace: string }, cmd: Command) => {
      const grace = Number(opts.grace);
      if (!Number.isFinite(grace) || grace < 0)
        throw new UsageError('--grace must be a number of seconds');
      const config = loadFor(globals(cmd));
      const lines = [await stopServeWatchdog(config, systemClock, grace * 1000)];
      const result = await stopDaemon(config, grace * 1000);
      lines.push(result.message, await stopServeWatchdog(config, systemClock, grace * 1000));
      for (const line of lines) if (line) io.out(line);
      const watchdogLeft = config.guard.supervise_watchdog && watchdogDaemonStatus(config).running;
      if (watchdogLeft)
        io.err('laneguard: the watchdog is still running; stop it with `laneguard watchdog stop`');
      io.exitCode = result.stopped && !watchdogLeft ? EXIT_OK : EXIT_FAILED;
    });

  program
    .command('status')
    .description(
      'is the background `serve` running, and its watchdog? pid, uptime, last cycle, idle counter, anomalies',
    )
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const config = loadFor(globals(cmd));
      const status = { ...daemonStatus(config), watchdog: watchdogDaemonStatus(config) };
      if (opts.json) io.out(JSON.stringify(status, null, 2));
      else {
        io.out(
          status.running
            ? `laneguard serve is running (pid ${status.pid}, up ${age(status.uptime_sec)})`
            : `laneguard serve is not running${status.foreign_pid ? ' (the pid file names an unrelated process)' : ''}`,
        );
        const w = status.watchdog;
        io.out(
          `laneguard watchdog is ${w.running ? `running (pid ${w.pid})` : 'not running'}${w.started_by_serve ? ' (started and restarted by serve)' : " (supervise_watchdog is off: not serve's to start)"}`,
        );
        io.out(
          `last cycle: ${status.last_cycle_at ?? 'never'}  idle cycles in a row: ${status.consecutive_idle_cycles ?? '-'}  anomalies: ${status.anomalies.join(', ') || 'none'}`,
        );
        io.out(`log: ${status.log_file}`);
      }
      io.exitCode = status.running ? EXIT_OK : EXIT_FAILED;
    });
}
