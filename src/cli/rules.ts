import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  applyRulesSettings,
  DEFAULT_JOB,
  DEFAULT_RUNBOOK_URL,
  settingsProblem,
} from '../alerts/rules-settings.js';
import { packageRoot } from '../util/package-root.js';
import { EXIT_OK, UsageError } from './errors.js';
import type { CliIo } from './io.js';

export function registerRules(program: Command, io: CliIo): void {
  program
    .command('rules')
    .description(
      'print the shipped Prometheus alerting rules with the job selector and runbook base URL set',
    )
    .option('--job <name>', 'the job_name Prometheus scrapes laneguard under', DEFAULT_JOB)
    .option(
      '--runbook-url <url>',
      'base URL of the runbooks: links are <url>/<AlertName>.md (laneguard itself serves http://HOST:9477/runbooks)',
      DEFAULT_RUNBOOK_URL,
    )
    .addHelpText(
      'after',
      `
Writes alerts/laneguard.rules.yml to standard output with both settings changed
everywhere they are used, for example:

  laneguard rules --job lg --runbook-url https://wiki.example/laneguard/runbooks > /etc/prometheus/rules/laneguard.rules.yml
  promtool check rules /etc/prometheus/rules/laneguard.rules.yml`,
    )
    .action((opts: { job: string; runbookUrl: string }) => {
      const settings = { job: opts.job, runbookUrl: opts.runbookUrl };
      const problem = settingsProblem(settings);
      if (problem) throw new UsageError(problem);
      const source = readFileSync(
        path.join(packageRoot(), 'alerts', 'laneguard.rules.yml'),
        'utf8',
      );
      io.out(applyRulesSettings(source, settings).trimEnd());
      io.exitCode = EXIT_OK;
    });
}
