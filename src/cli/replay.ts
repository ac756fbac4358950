// `laneguard replay FILE [--dry-run] [--json]`: a recorded Alertmanager payload through the
// receiver's matching and gates, against the current config and ledger. Changes nothing.
import path from 'node:path';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { parsePayload } from '../receiver/payload.js';
import { FileTooLargeError, readCapped } from '../store/bounded-read.js';
import {
  previewCycle,
  previewEnsureOnly,
  replayPayload,
  type CyclePreview,
  type ReplayResult,
} from '../receiver/preview.js';
import { loadFor } from './context.js';
import { EXIT_OK, UsageError } from './errors.js';
import { clean, table, type Print } from './format.js';
import { globals, type CliIo } from './io.js';

function readPayloadFile(file: string, limit: number): Buffer {
  // The size is checked while reading: `replay /dev/zero` stops one byte past the limit.
  try {
    return readCapped(file, limit);
  } catch (err) {
    if (err instanceof FileTooLargeError) {
      throw new UsageError(
        `${file}: invalid payload (body_too_large): over server.body_limit_bytes (${limit}); the receiver would answer 413`,
      );
    }
    throw new UsageError(
      `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): pass a file with a recorded Alertmanager payload, or - for stdin`,
    );
  }
}

function cycleText(cycle: ReplayResult['cycle'], ensure: boolean): string[] {
  const lines: string[] = [];
  if (cycle)
    lines.push(
      `would trigger: one guard cycle (trigger alert${cycle.onlyLanes ? `, limited to lane${cycle.onlyLanes.length > 1 ? 's' : ''} ${cycle.onlyLanes.join(', ')}` : ', all lanes'}), coalesced with any cycle in progress`,
    );
  if (cycle && cycle.restartLanes.length > 0)
    lines.push(
      `  that cycle may restart stalled lane${cycle.restartLanes.length > 1 ? 's' : ''} ${cycle.restartLanes.join(', ')} (restart_lane), if still stalled`,
    );
  if (ensure) lines.push("would run: the fleet's ensure command (lanes.ensure_command)");
  if (!cycle && !ensure) lines.push('would trigger: nothing (no alert acts)');
  return lines;
}

function printPreview(
  preview: CyclePreview | null,
  ensure: { would_run: boolean; reason: string | null } | null,
  out: Print,
): void {
  if (preview) {
    const { plan } = preview;
    const health = preview.probedAt
      ? `endpoint health from the probe at ${preview.probedAt}`
      : 'no probe results yet, so every endpoint counts as unhealthy (run `laneguard probe`)';
    out(`dry run of that cycle (lanes read now; ${health}; nothing is done):`);
    if (!plan.floorMet)
      out('  endpoint floor NOT met: nothing would be unpaused, started or ensured');
    if (plan.circuitOpen) out('  recovery circuit open: no actions');
    for (const u of plan.unpauses)
      out(`  would clear the pause of ${clean(u.id, 40)}: ${u.reason}, paused ${u.pauseAgeSec}s`);
    for (const s of plan.starts)
      out(`  would start ${clean(s.id, 40)}: score ${s.score} on ${s.endpointKey ?? '-'}`);
    for (const r of plan.restarts)
      out(
        `  would restart ${clean(r.id, 40)}: stalled ${r.stall!.stalledSec}s, no heartbeat for ${r.stall!.heartbeatAgeSec}s (pid ${r.stall!.pid ?? '-'})`,
      );
    for (const d of plan.decisions)
      if (d.verdict === 'skip')
        out(`  skip ${clean(d.id, 40)}${d.stall ? ' (stalled, not restarted)' : ''}: ${d.reason}`);
    if (plan.decisions.length === 0) out('  no local lanes');
  }
  if (ensure) out(`ensure: ${ensure.would_run ? 'would run' : `would not run (${ensure.reason})`}`);
  if (!preview && !ensure) out('dry run: nothing to plan, no alert acts');
}

function previewJson(preview: CyclePreview | null) {
  if (!preview) return null;
  const { plan } = preview;
  return {
    probed_at: preview.probedAt,
    floor_met: plan.floorMet,
    circuit_open: plan.circuitOpen,
    unpauses: plan.unpauses.map((u) => ({
      id: u.id,
      reason: u.reason,
      pause_age_sec: u.pauseAgeSec,
    })),
    starts: plan.starts.map((s) => ({ id: s.id, score: s.score, endpoint_key: s.endpointKey })),
    restarts: plan.restarts.map((r) => ({
      id: r.id,
      pid: r.stall!.pid,
      stalled_sec: r.stall!.stalledSec,
      heartbeat_age_sec: r.stall!.heartbeatAgeSec,
    })),
    skipped: plan.decisions
      .filter((d) => d.verdict === 'skip')
      .map((d) => ({ id: d.id, reason: d.reason })),
  };
}

async function replay(
  config: LoadedConfig,
  file: string,
  opts: { dryRun?: boolean; json?: boolean },
  io: CliIo,
): Promise<void> {
  const body = readPayloadFile(file, config.guard.server.body_limit_bytes);
  const parsed = parsePayload(body);
  if (!parsed.ok) {
    const r = parsed.rejection;
    throw new UsageError(
      `${file}: invalid payload (${r.reason}, ${r.code}): ${r.message}; the receiver would answer ${r.status}`,
    );
  }
  const now = new Date();
  const result = await replayPayload(config, parsed.payload, now);
  const { decision, cycle } = result;
  const preview = opts.dryRun && cycle ? await previewCycle(config, cycle, now) : null;
  const ensure =
    opts.dryRun && decision.work.ensure
      ? (preview?.ensure ?? previewEnsureOnly(config, now))
      : null;

  if (opts.json) {
    const dryRun = opts.dryRun ? { cycle: previewJson(preview), ensure } : undefined;
    io.out(
      JSON.stringify(
        {
          file,
          mode: config.guard.mode,
          answer: { status: 200, body: decision.counts },
          alerts: decision.alerts,
          work: decision.work,
          cycle,
          notes: result.notes,
          dry_run: dryRun,
        },
        null,
        2,
      ),
    );
    return;
  }
  const { guard } = config;
  const ledgerFile = path.relative(config.root, config.paths.ledger) || config.paths.ledger;
  io.out(
    `replay of ${file}: receiver "${clean(parsed.payload.receiver, 40)}", ${decision.alerts.length} alert(s), mode ${guard.mode}, dedupe window ${guard.webhook.dedupe_window_sec}s (ledger ${ledgerFile})`,
  );
  for (const note of result.notes) io.out(`note: ${note}`);
  io.out(
    table(
      ['ALERTNAME', 'FINGERPRINT', 'STARTS_AT', 'STATUS', 'ACTION', 'LANE', 'OUTCOME', 'REASON'],
      decision.alerts.map((a) => [
        clean(a.alertname ?? '-', 40),
        clean(a.fingerprint, 24),
        a.starts_at,
        a.status,
        a.action,
        a.lane,
        a.outcome,
        a.reason,
      ]),
    ),
  );
  io.out(`answer: 200 ${JSON.stringify(decision.counts)}`);
  for (const line of cycleText(cycle, decision.work.ensure)) io.out(line);
  if (opts.dryRun) printPreview(preview, ensure, io.out);
  io.out('replay changed nothing: no ledger entry, no history event, no action');
}

export function registerReplay(program: Command, io: CliIo): void {
  program
    .command('replay')
    .description(
      "feed a recorded Alertmanager payload through the receiver's matching and gates and print the decision",
    )
    .argument('<file>', 'a recorded webhook body (JSON, version 4), or - for stdin')
    .option(
      '--dry-run',
      'also plan the cycle the payload would trigger, against lanes as they are now (nothing is done)',
    )
    .option('--json', 'print the decisions as JSON')
    .addHelpText(
      'after',
      `
Uses this root's config (mode, webhook.routes, webhook.instance, dedupe window)
and its idempotency ledger as they are now: an alert acted on within the window
shows as deduplicated. Authentication is not checked. Nothing is written, run or
recorded; a live delivery re-reads everything and may decide differently.

Exit codes: 0 the payload is valid and the decisions were printed; 2 the file
cannot be read, the payload is invalid (the reason and the status the receiver
would answer are printed), or the config is invalid.`,
    )
    .action(async (file: string, opts: { dryRun?: boolean; json?: boolean }, cmd: Command) => {
      await replay(loadFor(globals(cmd)), file, opts, io);
      io.exitCode = EXIT_OK;
    });
}
