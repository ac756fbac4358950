import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { followHistory } from '../history/follow.js';
import type { HistoryEvent } from '../history/store.js';
import { createDemoFleet } from '../sandbox/demo-fleet.js';
import { narrate } from '../sandbox/narrate.js';
import type { RunningServer } from '../serve/serve.js';
import { descendants, processesMentioning, snapshot, trySignal } from '../process/index.js';
import { systemClock } from '../util/clock.js';
import { UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { laneguardMain } from '../util/self.js';

/** A word a POSIX shell reads back unchanged. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Kill every process whose command line names the demo root (lane workers it started). */
function killFleetProcesses(root: string): number {
  let killed = 0;
  // One look: the pids signalled are the ones seen in it (the demo root is a fresh temp directory).
  const processes = snapshot();
  for (const info of processesMentioning(root, processes)) {
    for (const child of descendants(info.pid, processes)) trySignal(child.pid, 'SIGTERM');
    if (trySignal(info.pid, 'SIGTERM')) killed++;
  }
  return killed;
}

async function listenWithFallback(root: string, port: number, log: (l: string) => void, io: CliIo) {
  // Loaded on use: the other commands start without express and the HTTP layer.
  const start = async (listen: string): Promise<RunningServer> =>
    (await import('../serve/serve.js')).startServer({ root, clock: systemClock, log, listen });
  try {
    return await start(`127.0.0.1:${port}`);
  } catch (err) {
    const cause =
      (err as { cause?: NodeJS.ErrnoException }).cause ?? (err as NodeJS.ErrnoException);
    if (cause.code !== 'EADDRINUSE' || port === 0) throw err;
    io.out(`port ${port} is busy; using a free port instead`);
    return start('127.0.0.1:0');
  }
}

export function registerDemo(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description(
      'run laneguard on the built-in sandbox fleet (real loopback model servers and lane workers) and narrate what it does',
    )
    .option(
      '--port <port>',
      'HTTP port for metrics, API and status page (0 = any free port)',
      '9477',
    )
    .option(
      '--duration <sec>',
      'stop by itself after this many seconds (default: run until Ctrl-C)',
    )
    .option('--keep', 'keep the sandbox fleet root after stopping (for a look at its files)')
    .addHelpText(
      'after',
      `
The sandbox fleet starts with the trouble laneguard exists for: a lane with a
stale manual pause, a stopped lane with work, a lane held by an operator, a
dead endpoint, and a lane that hangs after a while. Watch the guard find the
idle fleet, clear the stale pause, start the lanes, leave the held one alone,
and find the hung lane stalled and restart it. Ctrl-C stops everything.`,
    )
    .action(async (opts: { port: string; duration?: string; keep?: boolean }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError('--port must be a port number');
      const duration = opts.duration !== undefined ? Number(opts.duration) : null;
      if (duration !== null && !(duration > 0))
        throw new UsageError('--duration must be a positive number of seconds');
      const root = mkdtempSync(path.join(tmpdir(), 'laneguard-demo-'));
      const say = (line: string): void =>
        io.out(`${new Date().toISOString().slice(11, 19)}  ${line}`);
      io.out(`building the sandbox fleet in ${root} …`);
      const fleet = await createDemoFleet(root, `127.0.0.1:${port}`);
      const running = await listenWithFallback(root, port, (l) => say(`[serve] ${l}`), io);
      const token = readFileSync(fleet.tokenFile, 'utf8').trim();
      io.out('');
      io.out(
        `laneguard is guarding the sandbox fleet (mode ${running.service.config.guard.mode}, a cycle every ${running.service.config.guard.interval_sec}s)`,
      );
      io.out(`  status page  ${running.url}/`);
      io.out(`  metrics      ${running.url}/metrics`);
      io.out(`  API          ${running.url}/api/v1/status`);
      io.out(
        `  trigger      curl -X POST -H 'Authorization: Bearer ${token}' ${running.url}/api/v1/cycle`,
      );
      // Printed as this process runs laneguard (node + entry point), so they work as printed without npm link.
      const cli = [process.execPath, laneguardMain(), '--root', root].map(shellWord).join(' ');
      io.out(`  inspect      ${cli} lanes`);
      io.out(`               ${cli} history`);
      io.out('Ctrl-C stops the guard, the lanes and the model servers.\n');

      const seen = new Set<string>();
      const reportFile = running.service.config.paths.report;
      // Events of a cycle are told after its summary line, in the order a person reasons about them.
      const buffered = new Map<string, HistoryEvent[]>();
      let cycles = 0;
      const tell = (event: HistoryEvent, report?: Parameters<typeof narrate>[1]): void => {
        for (const line of narrate(event, report)) {
          const once =
            line.startsWith('left the held') ||
            line.includes(' waits: ') ||
            line.startsWith('mode "alert"');
          if (once && seen.has(line)) continue;
          seen.add(line);
          say(line);
        }
      };
      const stopFollowing = followHistory(running.service.config.paths.history, (event) => {
        if (event.type !== 'cycle' && event.cycle_id) {
          buffered.set(event.cycle_id, [...(buffered.get(event.cycle_id) ?? []), event]);
          return;
        }
        if (event.type !== 'cycle') return tell(event);
        const report = JSON.parse(readFileSync(reportFile, 'utf8')) as NonNullable<
          Parameters<typeof narrate>[1]
        >;
        const [first, ...rest] = narrate(event, report);
        if (first?.startsWith('found the fleet idle')) say(first);
        for (const e of buffered.get(event.cycle_id ?? '') ?? []) tell(e);
        buffered.delete(event.cycle_id ?? '');
        for (const line of first?.startsWith('found the fleet idle') ? rest : [first!, ...rest]) {
          const once =
            line.startsWith('left the held') ||
            line.includes(' waits: ') ||
            line.startsWith('mode "alert"');
          if (once && seen.has(line)) continue;
          seen.add(line);
          say(line);
        }
        if (++cycles === 2) {
          say(
            'demo: switching the guard to mode "hybrid" (its schedule may now recover) and reloading the config',
          );
          fleet.letScheduleAct();
          running.service.reload('demo');
        }
      });

      // The handlers stay for the whole stop: a second Ctrl-C would otherwise kill this process
      // before it stops the lane workers, which run detached and would be left running.
      let stopping = false;
      const onSignal = (): void => {
        if (stopping)
          io.out('still stopping: the lanes and model servers go right after the running cycle');
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      await new Promise<void>((resolve) => {
        const timer = duration !== null ? setTimeout(resolve, duration * 1000) : null;
        const first = (): void => {
          if (timer) clearTimeout(timer);
          resolve();
        };
        process.once('SIGINT', first);
        process.once('SIGTERM', first);
      });
      stopping = true;
      io.out(
        '\nstopping: the guard (after its running cycle), then the lanes and the model servers …',
      );
      await running.stop('demo finished');
      stopFollowing();
      const killed = killFleetProcesses(root);
      await fleet.stop();
      for (let i = 0; i < 30 && processesMentioning(root).length > 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      if (opts.keep)
        io.out(`stopped ${killed} lane process(es); the fleet root is kept at ${root}`);
      else {
        rmSync(root, { recursive: true, force: true });
        io.out(`stopped ${killed} lane process(es) and removed the sandbox fleet.`);
      }
    });
}
