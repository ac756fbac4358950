import path from 'node:path';
import type { Command } from 'commander';
import { isValidLaneId } from '../config/lanes-schema.js';
import type { CycleReport } from '../guard/report.js';
import type { CycleResult } from '../guard/cycle.js';
import { CycleRunner } from '../guard/runner.js';
import { createLaneAdapter } from '../lanes/factory.js';
import { laneguardWriteDirs, ListedDirs, removeStrayTemps } from '../store/stray-temp.js';
import { WriteFailures } from '../store/write-errors.js';
import { guardDeps, loadFor } from './context.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from './errors.js';
import { clean, type Print } from './format.js';
import { globals, type CliIo } from './io.js';
import { knownLane } from './lanes.js';
import { refuseBesideReplacedGuard } from './replaced-guard.js';

export function printReport(report: CycleReport, root: string, out: Print): void {
  const rel = (p: string | null): string => (p ? path.relative(root, p) : '-');
  out(
    `cycle ${report.cycle_id}  trigger=${report.trigger} mode=${report.mode}${report.dry_run ? ' DRY-RUN' : ''}  ${report.duration_ms} ms`,
  );
  out(
    `endpoints healthy: ${report.healthy_endpoint_count} [${report.healthy_endpoint_keys.join(', ')}]  floor ${report.floor_met ? 'met' : 'NOT met'}`,
  );
  out(
    `local lanes: ${report.local_lane_total}  running ${report.local_running_before} -> ${report.local_running_after}`,
  );
  const dry = (e: { dry_run?: true }): string => (e.dry_run ? ' (dry run: not done)' : '');
  for (const u of report.unpaused)
    out(
      `  unpaused ${u.id}: ${u.reason}, paused ${u.pause_age_sec}s "${clean(u.pause_message, 50)}" -> ${rel(u.archived_to)}${dry(u)}`,
    );
  for (const s of report.started)
    out(
      `  started  ${s.id}: score ${s.score} on ${s.endpoint_key ?? '-'}${s.pid ? ` (pid ${s.pid})` : ''}${dry(s)}`,
    );
  for (const s of report.stalled ?? [])
    out(
      `  stalled  ${s.id}: pid ${s.pid ?? '-'}, no heartbeat for ${s.heartbeat_age_sec}s, no progress for ${s.stalled_sec}s${s.endpoint_serving === true ? `, ${s.endpoint} is serving requests` : s.endpoint_serving === false ? `, ${s.endpoint} is serving nothing` : ''} -> ${s.action === 'restart' ? 'restart' : `not restarted (${s.action})`}`,
    );
  for (const r of report.restarted ?? [])
    out(
      `  restarted ${r.id}: pid ${r.old_pid ?? '-'} -> ${r.dry_run ? '(dry run: not done)' : `${r.pid ?? '-'} (${r.stopped_by === 'terminated' ? 'stop command did not stop it: process tree terminated' : 'stopped by the stop command'})`}`,
    );
  for (const s of report.skipped) out(`  skipped  ${s.id}: ${s.reason}`);
  for (const f of report.failed)
    out(
      `  FAILED   ${f.id}: ${f.source}: ${clean(f.error, 160)}${f.last_line ? ` | ${clean(f.last_line, 160)}` : ''}`,
    );
  const e = report.ensure;
  out(
    `ensure: ${e.ran ? `ran, ${e.ok ? 'ok' : `failed (exit ${e.exit_code ?? '-'})`}` : e.dry_run ? 'would run (dry run)' : 'not run'}${e.reason ? ` [${e.reason}]` : ''}`,
  );
  if (report.escalate.ran || report.escalate.dry_run)
    out(
      `escalate: ${report.escalate.ran ? (report.escalate.ok ? 'ran, ok' : 'ran, failed') : 'would run (dry run)'}`,
    );
  out(
    `idle cycles in a row: ${report.consecutive_idle_cycles}  floor-unmet cycles: ${report.endpoint_floor_unmet_cycles}  anomalies: ${report.anomalies.join(', ') || 'none'}`,
  );
  for (const note of report.notes) out(`note: ${note}`);
}

export function registerOnce(program: Command, io: CliIo): void {
  program
    .command('once')
    .description('run one guard cycle now: probe if stale, read lanes, decide, recover, record')
    .option('--dry-run', 'decide and record everything, act on nothing')
    .option(
      '--force-unpause <lane>',
      "clear this lane's pause whatever it is (held ones too), then decide as usual",
    )
    .option('--json', 'print the full report as JSON')
    .option('--lock-wait <sec>', 'how long to wait for a cycle already running on this root', '300')
    .addHelpText(
      'after',
      `
Exit codes: 0 the cycle completed and no action failed (skips and an unmet
endpoint floor are not failures); 1 an action failed or a lane could not be
read; 2 usage or configuration error.

The report is also written to artifacts/autonomy/local_models/idle_guard_report.json
and every decision to idle_guard_history.ndjson.`,
    )
    .action(
      async (
        opts: { dryRun?: boolean; forceUnpause?: string; json?: boolean; lockWait: string },
        cmd: Command,
      ) => {
        if (opts.forceUnpause !== undefined && !isValidLaneId(opts.forceUnpause)) {
          throw new UsageError(
            `--force-unpause: invalid lane id ${JSON.stringify(opts.forceUnpause)} (allowed: letters, digits, . _ -)`,
          );
        }
        const lockWait = Number(opts.lockWait);
        if (!Number.isFinite(lockWait) || lockWait < 0)
          throw new UsageError('--lock-wait must be a number of seconds');
        const config = loadFor(globals(cmd));
        refuseBesideReplacedGuard(config);
        // A lane the fleet does not have is a usage error before any work, not a silent no-op.
        if (opts.forceUnpause !== undefined)
          await knownLane(config, opts.forceUnpause, '--force-unpause: ');
        // A full disk does not stop the cycle: each failed file is named once, and the run exits 1.
        // (The lock is left out: a lock that cannot be created fails the run, and that error is printed.)
        const writes = new WriteFailures({
          log: (message, file) => file !== 'lock' && io.err(`laneguard: ${message}`),
        });
        // Stray temps are swept after the cycle: its lane read lists every lane directory, and
        // the sweep takes those listings instead of reading each directory again.
        const listed = new ListedDirs();
        const adapter = createLaneAdapter(config, { onListing: listed.record });
        const deps = guardDeps(config, undefined, writes, adapter);
        const runner = new CycleRunner({ deps: () => deps, lockWaitMs: lockWait * 1000 });
        let result: CycleResult;
        try {
          result = await runner.trigger({
            trigger: 'manual',
            dryRun: opts.dryRun === true,
            forceUnpause: opts.forceUnpause ?? null,
          });
        } finally {
          removeStrayTemps(laneguardWriteDirs(config), Date.now(), undefined, listed);
        }
        if (opts.json) io.out(JSON.stringify(result.report, null, 2));
        else printReport(result.report, config.root, io.out);
        io.exitCode = result.report.ok && writes.drain().length === 0 ? EXIT_OK : EXIT_FAILED;
      },
    );
}
