import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { buildPlan, type Plan, type PlanItem } from '../migrate/plan.js';
import { atomicWriteFile } from '../store/atomic.js';
import { resolveRoot } from './context.js';
import { EXIT_FAILED, EXIT_OK } from './errors.js';
import { globals, type CliIo } from './io.js';

const AREAS: Record<PlanItem['area'], string> = {
  files: 'Files read as they are',
  not_performed: 'Keys accepted but not performed',
  watchdog: 'Watchdog entries',
  processes: 'Processes of the replaced system',
  makefile: 'Makefile targets',
  services: 'Services (next steps)',
};

/** `<file>.bak-<UTC timestamp>`, never overwriting an earlier backup. */
function backupName(file: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let name = `${file}.bak-${stamp}`;
  for (let n = 1; existsSync(name); n++) name = `${file}.bak-${stamp}-${n}`;
  return name;
}

function apply(plan: Plan, now: Date): Array<{ file: string; backup: string }> {
  return plan.rewrites.map((r) => {
    const backup = backupName(r.file, now);
    copyFileSync(r.file, backup);
    atomicWriteFile(r.file, r.content);
    return { file: r.file, backup };
  });
}

function print(plan: Plan, io: CliIo): void {
  io.out(`laneguard migrate: ${plan.root}`);
  for (const [area, title] of Object.entries(AREAS)) {
    const items = plan.items.filter((i) => i.area === area);
    if (items.length === 0) continue;
    io.out(`\n${title}:`);
    for (const i of items) {
      io.out(`  [${i.status}] ${i.subject}: ${i.message}`);
      for (const line of i.lines ?? []) io.out(`      ${line.replace(/\t/g, '        ')}`);
    }
  }
}

export function registerMigrate(program: Command, io: CliIo): void {
  program
    .command('migrate')
    .description(
      'plan (and with --write apply) the move of a fleet from the guard laneguard replaces',
    )
    .option(
      '--write',
      'apply the rewrites the plan names, keeping each changed file as <file>.bak-<UTC timestamp>',
    )
    .option('--json', 'print the plan as JSON')
    .addHelpText(
      'after',
      `
The plan lists what laneguard reads as is, keys accepted but not performed,
what laneguard does with each watchdog entry, a running replaced guard or
heartbeat and how to stop it, the Makefile targets to repoint (with their new
recipes) and the service next steps. Without --write nothing changes; a second
--write finds nothing left to do. See docs/migrating.md.

Exit codes: 0 nothing blocking; 1 something needs the operator (a replaced
guard still running, lanes that cannot be read); 2 usage or configuration error.`,
    )
    .action(async (opts: { write?: boolean; json?: boolean }, cmd: Command) => {
      const root = resolveRoot(globals(cmd));
      const plan = await buildPlan(root, process.env);
      const changed = opts.write ? apply(plan, new Date()) : [];
      if (opts.json) {
        io.out(
          JSON.stringify(
            {
              root,
              write: opts.write === true,
              items: plan.items,
              rewrites: plan.rewrites.map((r) => r.file),
              changed,
              blocking: plan.blocking,
            },
            null,
            2,
          ),
        );
      } else {
        print(plan, io);
        io.out('');
        for (const c of changed)
          io.out(
            `rewrote ${path.relative(root, c.file)} (backup ${path.relative(root, c.backup)})`,
          );
        if (!opts.write && plan.rewrites.length > 0)
          io.out(
            `${plan.rewrites.length} file(s) to rewrite: ${plan.rewrites.map((r) => path.relative(root, r.file)).join(', ')}; run \`laneguard migrate --write\` to apply (backups are kept)`,
          );
        if (plan.rewrites.length === 0) io.out('nothing is left to rewrite');
        if (plan.blocking > 0)
          io.out(`${plan.blocking} item(s) need the operator (marked [operator] above)`);
      }
      io.exitCode = plan.blocking > 0 ? EXIT_FAILED : EXIT_OK;
    });
}
