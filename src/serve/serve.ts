// `laneguard serve`: the schedule, the HTTP server and signal handling in one process.
import { createServer, type Server } from 'node:http';
import { ConfigError } from '../config/errors.js';
import { GUARD_CONFIG_FILE } from '../config/load.js';
import { createApp } from '../http/app.js';
import { receiverRoutes } from '../receiver/route.js';
import { hasCredentials, isLoopbackListen, parseListen } from '../http/auth.js';
import type { Clock } from '../util/clock.js';
import { VERSION } from '../version.js';
import { checkDaemon, removePid, writePid } from '../process/index.js';
import { serveDaemonSpec } from './daemon.js';
import { IntervalScheduler } from '../util/scheduler.js';
import { GuardService } from './service.js';
import { watchdogSupervisionJob } from '../watchdog/index.js';

export interface ServeOptions {
  root: string;
  clock: Clock;
  log: (line: string) => void;
  /** Override server.listen (tests use 127.0.0.1:0). */
  listen?: string;
  writePidFile?: boolean;
  env?: NodeJS.ProcessEnv;
  /** How long a stop lets fleet commands in flight run before cancelling them (default 5 s). */
  stopGraceMs?: number;
}

const STOP_GRACE_MS = 5_000;

export interface RunningServer {
  service: GuardService;
  server: Server;
  url: string;
  scheduler: IntervalScheduler;
  stop(reason: string): Promise<void>;
}

/** A port that cannot be bound is a configuration problem: one line naming the key and the address. */
function listenError(err: Error, host: string, port: number, fromFlag: boolean): ConfigError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'EADDRINUSE'
      ? 'the address is already in use (another laneguard serve, or another program)'
      : code === 'EACCES'
        ? 'permission denied'
        : (code ?? err.message);
  const error = new ConfigError(
    'CONFIG_INVALID_VALUE',
    fromFlag ? 'command line' : GUARD_CONFIG_FILE,
    fromFlag ? '--listen' : 'server.listen',
    `cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port}: ${why}; choose another address with --listen HOST:PORT or server.listen`,
  );
  error.cause = err;
  return error;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const service = new GuardService({
    root: options.root,
    clock: options.clock,
    version: VERSION,
    log: options.log,
    env: options.env,
  });
  const { guard, paths } = service.config;
  const listen = options.listen ?? guard.server.listen;
  const { host, port } = parseListen(listen);
  if (!isLoopbackListen(listen) && !hasCredentials(service.credentials)) {
    throw new ConfigError(
      'CONFIG_INVALID_VALUE',
      GUARD_CONFIG_FILE,
      'server.listen',
      `refusing to listen on ${listen} without a token: set server.token_file (or LANEGUARD_WEBHOOK_TOKEN), or listen on 127.0.0.1`,
    );
  }
  if (options.writePidFile !== false) {
    const existing = checkDaemon(serveDaemonSpec(service.config));
    if (existing.state === 'running' && existing.pid !== process.pid)
      throw new ConfigError(
        'CONFIG_INVALID_VALUE',
        GUARD_CONFIG_FILE,
        'pid_file',
        `laneguard serve already runs for this root (pid ${existing.pid}); stop it with \`laneguard stop\``,
      );
  }

  const app = createApp(service, [receiverRoutes], { loopback: isLoopbackListen(listen) });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = createServer(app);
    const failed = (err: Error): void =>
      reject(listenError(err, host, port, options.listen !== undefined));
    s.once('error', failed);
    s.listen(port, host, () => {
      s.off('error', failed);
      resolve(s);
    });
  });
  // Claimed only once the port is ours: a serve that cannot bind must not overwrite the pid file.
  if (options.writePidFile !== false) writePid(paths.pid);
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;

  const scheduler = new IntervalScheduler(options.clock, (job, err) =>
    options.log(`${job} failed: ${err.message}`),
  );
  scheduler.add({
    name: 'probe',
    intervalSec: () => service.config.guard.fleet_probe_interval_sec,
    run: () => service.probe(),
  });
  scheduler.add({
    name: 'cycle',
    intervalSec: () => service.config.guard.interval_sec,
    run: async () => {
      if (service.config.guard.enabled) await service.cycle({ trigger: 'schedule' });
    },
  });
  // The scan job runs often but scans only endpoints whose results are stale or whose retry is due.
  scheduler.add({
    name: 'scan',
    intervalSec: () => Math.min(15, service.config.guard.fleet_capability_scan_interval_sec),
    run: () => service.scan(),
  });
  scheduler.add({
    name: 'side-states',
    intervalSec: () => 5,
    run: async () => service.refreshSideStates(),
  });
  // serve checks its watchdog at the cycle cadence; the watchdog checks serve through its own config.
  const supervision = watchdogSupervisionJob({
    root: service.config.root,
    clock: options.clock,
    history: () => service.history,
    log: options.log,
    intervalSec: () => service.config.guard.interval_sec,
  });
  scheduler.add({
    ...supervision,
    run: async () => (service.config.guard.supervise_watchdog ? supervision.run() : undefined),
  });
  service.history.append('guard_started', {
    pid: process.pid,
    version: VERSION,
    mode: guard.mode,
    listen: `${host}:${boundPort}`,
    dry_run: guard.dry_run,
  });
  scheduler.start();

  let stopping: Promise<void> | null = null;
  const stop = (reason: string): Promise<void> => {
    // The running cycle (and any follow-up already queued) and an alert's ensure run to their end.
    const settle = async (): Promise<void> => {
      await service.runner.idle();
      await service.ensureIdle();
    };
    stopping ??= (async () => {
      // Commands in flight get a short grace to end by themselves; then they are cancelled, so a
      // stop ends well inside the service manager's stop timeout however long a command would run.
      const cancel = setTimeout(
        () => service.cancelCommands(),
        options.stopGraceMs ?? STOP_GRACE_MS,
      );
      try {
        await scheduler.stop();
        await settle();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        // A request answered while the server closed may have started more.
        await settle();
      } finally {
        clearTimeout(cancel);
      }
      service.history.append('guard_stopped', { pid: process.pid, reason });
      if (options.writePidFile !== false) removePid(paths.pid);
    })();
    return stopping;
  };
  return { service, server, url, scheduler, stop };
}
