import type { Command } from 'commander';
import { isValidLaneId } from '../config/lanes-schema.js';
import { parseSince, queryHistory } from '../history/query.js';
import type { HistoryEvent } from '../history/store.js';
import { renderTrendText, trendJson, trendPoints } from '../history/trend.js';
import { loadFor } from './context.js';
import { UsageError } from './errors.js';
import { clean } from './format.js';
import { globals, type CliIo } from './io.js';
import { didYouMean } from './did-you-mean.js';
import { HISTORY_EVENT_TYPES } from '../history/event-types.js';

const SKIP = new Set(['ts', 'type', 'cycle_id', 'lane']);

function describe(event: HistoryEvent): string {
  const fields = Object.entries(event)
    .filter(([k, v]) => !SKIP.has(k) && v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return clean(fields, 240);
}

export function registerHistory(program: Command, io: CliIo): Command {
  const history = program
    .command('history')
    .description("query the guard's decision history (NDJSON, rotated files included)")
    .option('--since <when>', 'only events since: a duration (30m, 1h, 2d) or an ISO time')
    .option(
      '--type <type...>',
      'only these event types (cycle, lane_started, lane_unpaused, anomaly_raised, …)',
    )
    .option('--lane <lane>', 'only events about this lane')
    .option('--limit <n>', 'only the newest n events')
    .option('--json', 'print events as JSON lines')
    .action(
      async (
        opts: { since?: string; type?: string[]; lane?: string; limit?: string; json?: boolean },
        cmd: Command,
      ) => {
        const now = new Date();
        const since = opts.since !== undefined ? parseSince(opts.since, now) : undefined;
        if (since === null)
          throw new UsageError(
            `--since: use a duration like 30m, 1h, 2d or an ISO time, not "${opts.since}"`,
          );
        if (opts.lane !== undefined && !isValidLaneId(opts.lane))
          throw new UsageError(`--lane: invalid lane id ${JSON.stringify(opts.lane)}`);
        const limit = opts.limit !== undefined ? Number(opts.limit) : undefined;
        if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
          throw new UsageError('--limit must be a positive integer');
        for (const type of opts.type ?? []) {
          // A near miss of a known type is a typo; an unknown type with no near miss may be another version's.
          const hint = (HISTORY_EVENT_TYPES as readonly string[]).includes(type)
            ? ''
            : didYouMean(type, HISTORY_EVENT_TYPES);
          if (hint) throw new UsageError(`--type: unknown event type "${type}"${hint}`);
        }
        const config = loadFor(globals(cmd));
        const result = await queryHistory(config.paths.history, config.guard.history.keep_files, {
          since,
          types: opts.type,
          lane: opts.lane,
          limit,
        });
        if (opts.json) {
          for (const e of result.events) io.out(JSON.stringify(e));
          return;
        }
        for (const e of result.events)
          io.out(
            `${e.ts}  ${e.type.padEnd(22)} ${e.lane !== undefined ? `${clean(String(e.lane), 30)}  ` : ''}${describe(e)}`,
          );
        if (result.events.length === 0) io.out('no matching events');
        if (result.skippedLines > 0) io.err(`(${result.skippedLines} unreadable line(s) skipped)`);
      },
    );
  registerTrend(history, io);
  return history;
}

const TREND_HELP = `
Draws consecutive_idle_cycles of the guard's recent \`cycle\` events as a sparkline, one column per
equal slice of time from the first cycle in the period to now (the highest counter in the slice):
  ▁ the counter was 0 (a local lane ran) … █ the top of the scale (the peak, at least the alert threshold)
  blank  no cycle in that slice (the guard was not running)
  !      the endpoint floor was not met (an outage: the counter is held, not reset)
  ^      the counter reached idle_alert_threshold_cycles (persistent_idle_condition)

Examples:
  laneguard history trend                 the last 6 hours
  laneguard history trend --since 1d --width 96
  laneguard history trend --json          the points and a summary, for scripts`;

function registerTrend(history: Command, io: CliIo): void {
  history
    .command('trend')
    .description(
      'draw the idle-cycle trend (consecutive idle cycles over time, outages marked) in the terminal',
    )
    .option('--since <when>', 'the period: a duration (30m, 6h, 2d) or an ISO time', '6h')
    .option('--width <n>', 'chart columns (10-400)', '60')
    .option('--json', 'print the points and a summary as JSON')
    .addHelpText('after', TREND_HELP)
    .action(async (_opts: unknown, cmd: Command) => {
      // `history` declares --since and --json too and parses them before `trend` sees them, so the
      // values come merged from both commands; options only `history` knows are refused here.
      const opts = cmd.optsWithGlobals<{
        since: string;
        width: string;
        json?: boolean;
        type?: string[];
        lane?: string;
        limit?: string;
      }>();
      for (const flag of ['type', 'lane', 'limit'] as const) {
        if (opts[flag] !== undefined) throw new UsageError(`history trend does not take --${flag}`);
      }
      const now = new Date();
      const since = parseSince(opts.since, now);
      if (since === null)
        throw new UsageError(
          `--since: use a duration like 30m, 6h, 2d or an ISO time, not "${opts.since}"`,
        );
      const width = Number(opts.width);
      if (!Number.isInteger(width) || width < 10 || width > 400)
        throw new UsageError('--width must be an integer from 10 to 400');
      const config = loadFor(globals(cmd));
      const threshold = config.guard.idle_alert_threshold_cycles;
      const result = await queryHistory(config.paths.history, config.guard.history.keep_files, {
        since,
        types: ['cycle'],
      });
      const points = trendPoints(result.events);
      if (opts.json) return void io.out(JSON.stringify(trendJson(points, threshold, since)));
      const period = /^\d+(?:\.\d+)?\s*[smhd]$/.test(opts.since.trim())
        ? `last ${opts.since.trim()}`
        : `period since ${since.toISOString()}`;
      for (const line of renderTrendText(points, { width, now, threshold, period })) io.out(line);
      if (result.skippedLines > 0) io.err(`(${result.skippedLines} unreadable line(s) skipped)`);
    });
}
