// `laneguard rules`: the job selector and the runbook base URL are one setting each.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyRulesSettings,
  DEFAULT_RUNBOOK_URL,
  settingsProblem,
} from '../../src/alerts/rules-settings.js';
import { laneguard } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { parseAlertRules } from './rules-file.js';

const SHIPPED = readFileSync(path.resolve('alerts/laneguard.rules.yml'), 'utf8');
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

describe('rules settings', () => {
  it('the shipped file is the output with the defaults', () => {
    expect(applyRulesSettings(SHIPPED, { job: 'laneguard', runbookUrl: DEFAULT_RUNBOOK_URL })).toBe(
      SHIPPED,
    );
  });

  it('rejects a job or URL that would break the rules, naming the option', () => {
    expect(settingsProblem({ job: 'a"b', runbookUrl: DEFAULT_RUNBOOK_URL })).toMatch(
      /^--job "a"b": use the job_name/,
    );
    expect(settingsProblem({ job: 'lg', runbookUrl: 'wiki/runbooks' })).toMatch(
      /^--runbook-url "wiki\/runbooks" is not a URL/,
    );
    expect(settingsProblem({ job: 'lg', runbookUrl: 'ftp://x/r' })).toMatch(
      /http:\/\/ or https:\/\//,
    );
    expect(settingsProblem({ job: 'lg', runbookUrl: "http://x/r'{{" })).toMatch(/quotes, braces/);
  });

  it('`laneguard rules --job --runbook-url` changes every use of both, and promtool accepts the result', async () => {
    const run = await laneguard([
      'rules',
      '--job',
      'lg-fleet',
      '--runbook-url',
      'http://lg1.lan:9477/runbooks/',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('job="laneguard"');
    expect(run.stdout).not.toContain(DEFAULT_RUNBOOK_URL);
    const rules = parseAlertRules(run.stdout);
    expect(rules).toHaveLength(parseAlertRules(SHIPPED).length);
    for (const rule of rules)
      expect(rule.annotations.runbook_url).toBe(`http://lg1.lan:9477/runbooks/${rule.name}.md`);
    expect(rules.find((r) => r.name === 'LaneguardDown')?.expr).toBe('up{job="lg-fleet"} == 0');

    const file = path.join(tempDir(), 'laneguard.rules.yml');
    writeFileSync(file, run.stdout);
    const check = spawnSync(PROMTOOL, ['check', 'rules', file], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(`${check.stdout}${check.stderr}`).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('a bad setting exits 2 with one line and prints no rules', async () => {
    const run = await laneguard(['rules', '--job', 'bad job']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      'laneguard: --job "bad job": use the job_name of your scrape config (letters, digits and _ . : / - only)',
    ]);
  });
});
