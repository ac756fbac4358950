import type { Command } from 'commander';
import { isValidLaneId } from '../config/lanes-schema.js';
import { parseSince, queryHistory } from '../history/query.js';
import type { HistoryEvent } from '../history/store.js';
import { loadFor } from './context.js';
import { UsageError } from './errors.js';
import { clean } from './format.js';
import { globals, type CliIo } from './io.js';

const SKIP = new Set(['ts', 'type', 'cycle_id', 'lane']);

function describe(event: HistoryEvent): string {
  const fields = Object.entries(event)
    .filter(([k, v]) => !SKIP.has(k) && v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return clean(fields, 240);
}

export function registerHistory(program: Command, io: CliIo): Command {
  return program
    .command('history')
    .description('query the guard\'s decision history (NDJSON, rotated files included)')
    .option('--since <when>', 'only events since: a duration (30m, 1h, 2d) or an ISO time')
    .option('--type <type...>', 'only these event types (cycle, lane_started, lane_unpaused, anomaly_raised, …)')
    .option('--lane <lane>', 'only events about this lane')
    .option('--limit <n>', 'only the newest n events')
    .option('--json', 'print events as JSON lines')
    .action((opts: { since?: string; type?: string[]; lane?: string; limit?: string; json?: boolean }, cmd: Command) => {
      const now = new Date();
      const since = opts.since !== undefined ? parseSince(opts.since, now) : undefined;
      if (since === null) throw new UsageError(`--since: use a duration like 30m, 1h, 2d or an ISO time, not "${opts.since}"`);
      if (opts.lane !== undefined && !isValidLaneId(opts.lane)) throw new UsageError(`--lane: invalid lane id ${JSON.stringify(opts.lane)}`);
      const limit = opts.limit !== undefined ? Number(opts.limit) : undefined;
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError('--limit must be a positive integer');
      const config = loadFor(globals(cmd));
      const result = queryHistory(config.paths.history, config.guard.history.keep_files, { since, types: opts.type, lane: opts.lane, limit });
      if (opts.json) {
        for (const e of result.events) io.out(JSON.stringify(e));
        return;
      }
      for (const e of result.events) io.out(`${e.ts}  ${e.type.padEnd(22)} ${e.lane !== undefined ? `${clean(String(e.lane), 30)}  ` : ''}${describe(e)}`);
      if (result.events.length === 0) io.out('no matching events');
      if (result.skippedLines > 0) io.err(`(${result.skippedLines} unreadable line(s) skipped)`);
    });
}
