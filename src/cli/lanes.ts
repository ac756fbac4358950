import type { Command } from 'commander';
import path from 'node:path';
import { isValidLaneId } from '../config/lanes-schema.js';
import type { LoadedConfig } from '../config/load.js';
import type { LaneSnapshot } from '../domain/types.js';
import { isLocalLane } from '../core/guard/policy.js';
import { observeStalls } from '../core/guard/stall.js';
import { peekGuardState } from '../guard/state-store.js';
import { createLaneAdapter } from '../lanes/factory.js';
import { archivePause, archivePauseCopy, readPause, writePause } from '../lanes/pause-files.js';
import { parseUntil, pauseReplacementRefusal } from '../lanes/pause-rules.js';
import { historyFor, loadFor } from './context.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from './errors.js';
import { age, clean, table } from './format.js';
import { globals, type CliIo } from './io.js';
import { didYouMean } from './did-you-mean.js';

/** A lane for `--json`: snake_case keys, as the API and the state files write them. */
export function laneJson(l: LaneSnapshot): Record<string, unknown> {
  const pause = l.pause && {
    message: l.pause.message,
    age_sec: l.pause.ageSec,
    manual: l.pause.manual,
    held: l.pause.held,
    stale: l.pause.stale,
    ...(l.pause.error ? { error: l.pause.error } : {}),
  };
  return {
    id: l.id,
    enabled: l.enabled,
    owner: l.owner,
    local: l.local,
    local_only: l.localOnly,
    endpoints: l.endpointUrls,
    running: l.running,
    pid: l.pid,
    paused: l.paused,
    pause,
    work: l.work,
    heartbeat_age_sec: l.heartbeatAgeSec,
  };
}

function laneArg(lane: string): string {
  if (!isValidLaneId(lane))
    throw new UsageError(
      `invalid lane id ${JSON.stringify(lane)}: use letters, digits, '.', '_' and '-' (no '/', no '..')`,
    );
  return lane;
}

/** The lane must be one the configured source knows, so a typo does not create a stray directory. */
export async function knownLane(
  config: LoadedConfig,
  lane: string,
  prefix = '',
): Promise<LaneSnapshot | null> {
  const read = await createLaneAdapter(config).read(new Date());
  const ids = [...read.lanes.map((l) => l.id), ...read.errors.map((e) => e.id)];
  if (!ids.includes(lane))
    throw new UsageError(
      `${prefix}no lane "${lane}" in ${path.relative(config.root, config.paths.lanesFile) || config.paths.lanesFile}${didYouMean(lane, ids) || '; run `laneguard lanes` to list them'}`,
    );
  return read.lanes.find((l) => l.id === lane) ?? null;
}

export function registerLanes(program: Command, io: CliIo): void {
  const lanes = program
    .command('lanes')
    .description('show the lanes as laneguard sees them (running, pause, work, endpoints)')
    .option('--json', 'print lanes as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = loadFor(globals(cmd));
      const now = new Date();
      const read = await createLaneAdapter(config).read(now);
      // Stalls as the guard's memory of each lane's progress judges them now (nothing is written).
      const stalls = new Map(
        observeStalls(
          peekGuardState(config.paths.state, now).progress,
          read.lanes,
          now,
          config.guard,
        ).stalled.map((s) => [s.lane, s]),
      );
      if (opts.json) {
        io.out(
          JSON.stringify(
            {
              lanes: read.lanes.map((l) => ({
                ...laneJson(l),
                local_lane: isLocalLane(l, config.guard),
                stalled: stalls.has(l.id),
                stalled_sec: stalls.get(l.id)?.stalledSec ?? null,
              })),
              errors: read.errors,
            },
            null,
            2,
          ),
        );
      } else {
        io.out(
          table(
            [
              'LANE',
              'LOCAL',
              'RUNNING',
              'PID',
              'PAUSE',
              'WORK p/i/b/d/q',
              'HEARTBEAT',
              'ENDPOINTS',
            ],
            read.lanes.map((l) => [
              clean(l.id, 40),
              isLocalLane(l, config.guard) ? 'yes' : l.local ? 'not-only' : 'no',
              l.running
                ? stalls.has(l.id)
                  ? `STALLED ${age(stalls.get(l.id)!.stalledSec)}`
                  : 'yes'
                : l.enabled
                  ? 'no'
                  : 'disabled',
              l.pid,
              l.pause
                ? `${l.pause.held ? 'held' : l.pause.stale ? 'stale' : l.pause.manual ? 'manual' : 'paused'} ${age(l.pause.ageSec)}`
                : '-',
              `${l.work.pending}/${l.work.in_progress}/${l.work.blocked}/${l.work.done}/${l.work.queued}`,
              age(l.heartbeatAgeSec),
              l.endpointUrls.join(' ') || '-',
            ]),
          ),
        );
        for (const e of read.errors)
          io.out(`ERROR ${clean(e.id, 40)}: ${e.source}: ${clean(e.error, 200)}`);
      }
      io.exitCode = read.errors.length > 0 ? EXIT_FAILED : EXIT_OK;
    });

  lanes
    .command('pause <lane>')
    .description('pause a lane by writing its paused.flag (JSON: reason, by, at, until, hold)')
    .option('--hold', 'an operator hold: never cleared automatically, however old')
    .option('--until <iso>', 'held until this time (ISO 8601), then a normal manual pause')
    .option(
      '--reason <text>',
      'why (shown in tables, events and the status page)',
      'manual pause by operator',
    )
    .option('--force', 'replace a held pause with one that is not held')
    .addHelpText(
      'after',
      '\nA pause without --hold or --until is a manual pause: once older than\nstale_manual_pause_sec (600 s) the guard clears it when the lane has work.\nAn existing flag is archived in cleared_pauses/ before it is replaced; a held\npause is replaced only with --hold (or --force).',
    )
    .action(
      async (
        lane: string,
        opts: { hold?: boolean; until?: string; reason: string; force?: boolean },
        cmd: Command,
      ) => {
        laneArg(lane);
        const untilMs = opts.until !== undefined ? parseUntil(opts.until) : undefined;
        if (untilMs === null) throw new UsageError(`--until: not an ISO 8601 time: ${opts.until}`);
        // A hold that has already ended would be written as a plain manual pause: say so instead.
        if (untilMs !== undefined && untilMs <= Date.now())
          throw new UsageError(
            `--until: ${opts.until} is in the past; give a future time, or --hold for a hold without an end`,
          );
        // Stored as a UTC instant: a time without an offset means this shell's zone, not the guard's.
        const until = untilMs !== undefined ? new Date(untilMs).toISOString() : undefined;
        const config = loadFor(globals(cmd));
        const snapshot = await knownLane(config, lane);
        const now = new Date();
        const reason = /manual/i.test(opts.reason) ? opts.reason : `manual: ${opts.reason}`;
        const dir = createLaneAdapter(config).laneDir(lane);
        const existing = readPause(dir, now, config.guard.stale_manual_pause_sec);
        const refusal = pauseReplacementRefusal(existing, {
          hold: opts.hold === true,
          force: opts.force === true,
        });
        if (refusal) throw new UsageError(`${lane} is already paused and ${refusal}`);
        // The flag being replaced is kept, as unpause keeps it: an operator can put it back. It is
        // copied, then replaced atomically, so the lane is paused throughout.
        const replaced = existing
          ? archivePauseCopy(dir, lane, config.paths.clearedPauses, now)
          : null;
        const file = writePause(dir, {
          reason,
          by: process.env.USER ?? 'operator',
          hold: opts.hold === true,
          until,
          now,
        });
        historyFor(config).append('lane_paused', {
          lane,
          reason,
          hold: opts.hold === true,
          until: until ?? null,
          by: process.env.USER ?? 'operator',
          ...(replaced ? { replaced_archived_to: replaced } : {}),
        });
        io.out(
          `paused ${lane}${opts.hold ? ' (held)' : until ? ` (held until ${until})` : ''}: ${path.relative(config.root, file)}`,
        );
        // A flag stops nothing by itself: the lane's own process decides when it reads it.
        if (snapshot?.running)
          io.out(
            `${lane} is running (pid ${snapshot.pid}): it keeps running until it reads its paused.flag; laneguard does not stop it`,
          );
        if (replaced)
          io.out(`the previous flag is kept at ${path.relative(config.root, replaced)}`);
      },
    );

  lanes
    .command('unpause <lane>')
    .description(
      "clear a lane's pause now (the flag is archived in cleared_pauses/, never deleted)",
    )
    .action(async (lane: string, _opts: unknown, cmd: Command) => {
      laneArg(lane);
      const config = loadFor(globals(cmd));
      await knownLane(config, lane);
      const now = new Date();
      const dir = createLaneAdapter(config).laneDir(lane);
      const pause = readPause(dir, now, config.guard.stale_manual_pause_sec);
      if (!pause) {
        io.out(`${lane} is not paused`);
        return;
      }
      const archivedTo = archivePause(dir, lane, config.paths.clearedPauses, now);
      historyFor(config).append('lane_unpaused', {
        lane,
        reason: 'operator',
        pause_age_sec: pause.ageSec,
        pause_message: pause.message,
        archived_to: archivedTo,
      });
      io.out(
        `unpaused ${lane}; the flag is kept at ${archivedTo ? path.relative(config.root, archivedTo) : '-'}`,
      );
    });
}
