import path from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../util/clock.js';
import { runWatchdogCheck } from '../watchdog/check.js';
import { loadWatchdogConfig, type WatchdogConfig } from '../config/watchdog.js';
import { startWatchdogDaemon, stopWatchdogDaemon } from '../watchdog/daemon.js';
import { runWatchdogLoop, watchdogHistory } from '../watchdog/loop.js';
import { resetProcess } from '../watchdog/reset.js';
import { PROCESS_ID } from '../config/watchdog-schema.js';
import { watchdogStatus, type ProcessStatusRow } from '../watchdog/status.js';
import { resolveRoot } from './context.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from './errors.js';
import { age, clean, table, type Print } from './format.js';
import { globals, type CliIo } from './io.js';

function configFor(cmd: Command): WatchdogConfig {
  return loadWatchdogConfig(resolveRoot(globals(cmd)));
}

function seconds(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`${option} must be a number of seconds, not ${JSON.stringify(value)}`);
  return n;
}

function sinceIso(iso: string | null, now: Date): string {
  return iso ? `${age((now.getTime() - Date.parse(iso)) / 1000)} ago` : '-';
}

function untilIso(iso: string | null, now: Date): string {
  return iso ? `in ${age(Math.max(0, (Date.parse(iso) - now.getTime()) / 1000))}` : '-';
}

function printRows(rows: ProcessStatusRow[], out: Print, now: Date): void {
  out(
    table(
      ['PROCESS', 'STATUS', 'PID', 'RESTARTS', 'LAST RESTART', 'NEXT ATTEMPT', 'REASON'],
      rows.map((r) => [
        r.id,
        r.status,
        r.pid,
        r.restarts,
        sinceIso(r.last_restart_at, now),
        untilIso(r.next_attempt_at, now),
        clean(r.reason ?? '', 120) || '-',
      ]),
    ),
  );
}

const HELP = `
The watchdog supervises the processes of config/local_model_process_watchdog.json
(serve, the heartbeat, the fleet's own supervisor). A process is alive when the
pid in its pid_file is alive AND its command line matches match_regex; a pid
that belongs to another process is never trusted and never signalled. Alive but
failing its health check (HTTP 2xx, or a file younger than max_age_sec) counts
as hung: TERM, stop_grace_sec, KILL, then restart. A restart succeeds only if
the process is alive and healthy after startup_grace_sec; failures back off
(10 s doubling to 300 s, jittered); beyond start_limit (5 attempts in 600 s)
the process is given up until \`watchdog reset ID\` or the interval passes.

Files (artifacts/autonomy/local_models/): process_watchdog_state.json,
process_watchdog_history.ndjson (transitions only), process_watchdog.pid,
process_watchdog.log. See docs/watchdog.md.`;

export function registerWatchdog(program: Command, io: CliIo): void {
  const watchdog = program
    .command('watchdog')
    .description(
      'the process watchdog: restarts supervised processes when they die or hang (once|run|start|stop|status|reset)',
    )
    .addHelpText('after', HELP);

  watchdog
    .command('once')
    .description('check every supervised process once, restart what is down or hung, then exit')
    .option('--json', 'print the result as JSON')
    .option('--lock-wait <sec>', 'how long to wait for a check already running on this root', '300')
    .addHelpText(
      'after',
      '\nExit codes: 0 every enabled process is healthy at the end (restarted ones\nincluded); 1 one is down, hung, in backoff or given up; 2 usage or config error.\nFor cron and systemd timers.',
    )
    .action(async (opts: { json?: boolean; lockWait: string }, cmd: Command) => {
      const lockWaitMs = seconds(opts.lockWait, '--lock-wait') * 1000;
      const config = configFor(cmd);
      const history = watchdogHistory(config, systemClock);
      history.repair();
      const result = await runWatchdogCheck({ config, clock: systemClock, history, lockWaitMs });
      if (result.busy) {
        io.err(
          `laneguard: another watchdog check holds ${result.lockFile}; try again, or raise --lock-wait`,
        );
        io.exitCode = EXIT_FAILED;
        return;
      }
      if (opts.json) {
        io.out(
          JSON.stringify(
            {
              ok: result.ok,
              checked_at: result.at,
              processes: result.processes,
              events: result.events.map((e) => ({ type: e.type, ...e.fields })),
            },
            null,
            2,
          ),
        );
      } else {
        for (const e of result.events)
          io.out(
            `${e.type} ${String(e.fields.process ?? '')}${e.fields.pid ? ` pid ${String(e.fields.pid)}` : ''}${e.fields.error ? `: ${clean(String(e.fields.error), 160)}` : ''}`,
          );
        if (result.processes.length === 0) io.out(`no processes configured in ${config.file}`);
        else printRows(result.processes, io.out, new Date());
      }
      io.exitCode = result.ok ? EXIT_OK : EXIT_FAILED;
    });

  watchdog
    .command('run')
    .description('run the watchdog in the foreground: a check every interval_sec until TERM or INT')
    .addHelpText(
      'after',
      '\nWrites process_watchdog.pid while it runs; refuses to start (exit 1) when\nanother `watchdog run` named by that file is alive. The config is re-read\nbefore every check; an invalid edit keeps the previous config.',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const root = resolveRoot(globals(cmd));
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      const hup = (): void => io.out('SIGHUP: the config is re-read before every check');
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      process.on('SIGHUP', hup);
      try {
        io.exitCode = await runWatchdogLoop({
          loadConfig: () => loadWatchdogConfig(root),
          clock: systemClock,
          log: io.out,
          signal: controller.signal,
        });
      } finally {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        process.off('SIGHUP', hup);
      }
    });

  watchdog
    .command('start')
    .description('start `watchdog run` in the background (own session, log file, pid file)')
    .option('--wait <sec>', 'how long to wait for it to write its pid file', '15')
    .action(async (opts: { wait: string }, cmd: Command) => {
      const waitMs = seconds(opts.wait, '--wait') * 1000;
      const config = configFor(cmd);
      const result = await startWatchdogDaemon(config, { clock: systemClock, waitMs });
      const log = path.relative(config.root, config.logFile);
      if (result.status === 'already_running')
        io.out(`watchdog already running (pid ${result.pid})`);
      else if (result.status === 'started')
        io.out(`watchdog started (pid ${result.pid}); log: ${log}`);
      else io.err(`laneguard: watchdog did not start: ${result.reason}`);
      io.exitCode = result.status === 'failed' ? EXIT_FAILED : EXIT_OK;
    });

  watchdog
    .command('stop')
    .description(
      'stop the background watchdog: TERM, wait, then KILL (only a pid verified as `watchdog run`)',
    )
    .option('--grace <sec>', 'how long to wait after TERM before KILL', '30')
    .action(async (opts: { grace: string }, cmd: Command) => {
      const graceMs = seconds(opts.grace, '--grace') * 1000;
      const config = configFor(cmd);
      const result = await stopWatchdogDaemon(config, { clock: systemClock, graceMs });
      if (result.status === 'not_running') io.out('watchdog is not running');
      else if (result.status === 'stopped')
        io.out(
          `watchdog stopped (pid ${result.pid}${result.signals.includes('SIGKILL') ? ', killed after the grace' : ''})`,
        );
      else io.err(`laneguard: could not stop the watchdog (pid ${result.pid}): ${result.reason}`);
      io.exitCode = result.status === 'failed' ? EXIT_FAILED : EXIT_OK;
    });

  watchdog
    .command('status')
    .description(
      'show each supervised process as of now (observed live, nothing acted on) and the watchdog daemon',
    )
    .option(
      '--json',
      'print {watchdog, processes: [{id, status, pid, restarts, last_restart_at, next_attempt_at, reason}]}',
    )
    .addHelpText(
      'after',
      '\nstatus is one of healthy, down, hung, backoff, given_up, disabled. Exit 0\nwhenever the status could be read; use `watchdog once` for a health exit code.',
    )
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = configFor(cmd);
      const status = await watchdogStatus(config, systemClock);
      if (opts.json) {
        io.out(JSON.stringify(status, null, 2));
        return;
      }
      const w = status.watchdog;
      io.out(
        `watchdog: ${w.running ? `running (pid ${w.pid})` : 'NOT running'}; state ${w.state_age_sec === null ? 'never written' : `written ${age(w.state_age_sec)} ago`}`,
      );
      if (status.processes.length === 0) io.out(`no processes configured in ${config.file}`);
      else printRows(status.processes, io.out, new Date());
    });

  watchdog
    .command('reset <id>')
    .description(
      "forget a process's backoff, start-limit attempts and give-up, so the next check restarts it",
    )
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      if (!PROCESS_ID.test(id))
        throw new UsageError(
          `invalid process id ${JSON.stringify(id)}: use letters, digits, '.', '_' and '-'`,
        );
      const config = configFor(cmd);
      const known = config.processes.map((p) => p.id);
      if (!known.includes(id))
        throw new UsageError(
          `no process "${id}" in ${config.file}; configured: ${known.join(', ') || '(none)'}`,
        );
      const result = await resetProcess(config, id, {
        clock: systemClock,
        history: watchdogHistory(config, systemClock),
        lockWaitMs: 300_000,
        by: process.env.USER ?? 'operator',
      });
      if (result.status === 'busy') {
        io.err(`laneguard: another watchdog check holds ${result.lockFile}; try again`);
        io.exitCode = EXIT_FAILED;
        return;
      }
      io.out(
        `reset ${id}${result.before ? ` (was ${result.before.status}, ${result.before.attempts.length} recent attempt(s))` : ' (no state yet)'}; the next check restarts it if it is down`,
      );
    });
}
