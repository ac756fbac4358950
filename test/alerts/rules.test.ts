// The shipped alerting: rules, their promtool unit tests, the example
// Alertmanager config and the runbooks, checked with the real promtool and
// amtool (PROMTOOL / AMTOOL override the binaries).
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { durationSeconds, parseAlertExpectations, parseAlertRules } from './rules-file.js';
import { CONTRACT_ALERTS } from '../helpers/contract.js';
import { DEFAULT_RUNBOOK_URL } from '../../src/alerts/rules-settings.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RULES_FILE = join(ROOT, 'alerts', 'laneguard.rules.yml');
const TESTS_DIR = join(ROOT, 'alerts', 'tests');
const AM_CONFIG = join(ROOT, 'alerts', 'alertmanager.yml');
const RUNBOOKS_DIR = join(ROOT, 'docs', 'runbooks');
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const AMTOOL = process.env.AMTOOL ?? 'amtool';

// The alerts that ask laneguard's receiver to act, and the action.
const RECOVERY_ACTIONS: Record<string, string> = {
  LaneguardFleetIdleWhileDemand: 'recover',
  LaneguardPersistentIdle: 'recover',
  LaneguardLanesStarved: 'recover_lane',
  LaneguardStalePause: 'recover_lane',
  LaneguardLaneStalled: 'restart_lane',
};

const EVALUATION_INTERVAL_SEC = 30;

function run(cmd: string, args: string[], cwd = ROOT): { status: number | null; output: string } {
  const result = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 20_000 });
  if (result.error) throw new Error(`cannot run ${cmd}: ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const rulesSource = readFileSync(RULES_FILE, 'utf8');
const rules = parseAlertRules(rulesSource);
const ruleByName = new Map(rules.map((rule) => [rule.name, rule]));
const testFiles = readdirSync(TESTS_DIR)
  .filter((name) => name.endsWith('.yml'))
  .sort();
const expectations = testFiles.flatMap((file) =>
  parseAlertExpectations(file, readFileSync(join(TESTS_DIR, file), 'utf8')),
);

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('alerts/laneguard.rules.yml', () => {
  it('passes promtool check rules, with as many rules as this test reads', () => {
    const { status, output } = run(PROMTOOL, ['check', 'rules', RULES_FILE]);
    expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(status).toBe(0);
  });

  it('defines exactly the alerts of the contract, once each', () => {
    expect(rules.map((rule) => rule.name).sort()).toEqual([...CONTRACT_ALERTS].sort());
  });

  it.each(CONTRACT_ALERTS)(
    '%s has severity, summary, description, runbook_url and a runbook',
    (name) => {
      const rule = ruleByName.get(name);
      expect(rule, `${name} is not defined`).toBeDefined();
      if (!rule) return;
      expect(['warning', 'critical']).toContain(rule.labels.severity);
      expect(rule.annotations.summary ?? '').not.toBe('');
      expect(rule.annotations.description ?? '').not.toBe('');
      // One base URL (the docs in the repository), the same for every alert.
      expect(rule.annotations.runbook_url).toBe(`${DEFAULT_RUNBOOK_URL}/${name}.md`);
      expect(Object.keys(rule.annotations).sort()).toEqual([
        'description',
        'runbook_url',
        'summary',
      ]);

      const runbook = join(RUNBOOKS_DIR, `${name}.md`);
      expect(existsSync(runbook), `docs/runbooks/${name}.md is missing`).toBe(true);
      expect(readFileSync(runbook, 'utf8').split('\n')[0]).toBe(`# ${name}`);
      expect(readFileSync(join(ROOT, 'docs', 'alerts.md'), 'utf8')).toContain(
        `[${name}](runbooks/${name}.md)`,
      );
    },
  );

  it('has no runbook without an alert', () => {
    const runbooks = readdirSync(RUNBOOKS_DIR)
      .filter((name) => name.endsWith('.md'))
      .map((name) => name.slice(0, -'.md'.length));
    expect(runbooks.sort()).toEqual([...CONTRACT_ALERTS].sort());
  });

  it('puts laneguard_action only on recovery alerts, with the catalogue action', () => {
    const actions = Object.fromEntries(
      rules
        .filter((rule) => 'laneguard_action' in rule.labels)
        .map((r) => [r.name, r.labels.laneguard_action]),
    );
    expect(actions).toEqual(RECOVERY_ACTIONS);
    for (const action of Object.values(actions)) {
      expect(['recover', 'recover_lane', 'restart_lane', 'ensure']).toContain(action);
    }
  });

  it('never synthesizes data: absent() only in LaneguardMetricsAbsent, no vector()', () => {
    for (const rule of rules) {
      expect(rule.expr, rule.name).not.toMatch(/\bvector\s*\(/);
      if (rule.name === 'LaneguardMetricsAbsent') {
        expect(rule.expr).toBe('absent(laneguard_build_info{job="laneguard"})');
      } else {
        expect(rule.expr, rule.name).not.toMatch(/\babsent(_over_time)?\s*\(/);
      }
    }
    expect(ruleByName.get('LaneguardDown')?.expr).toBe('up{job="laneguard"} == 0');
  });

  it('scopes every series of every expression by job="laneguard" (the one place to change it)', () => {
    for (const rule of rules) {
      const selectors = [...rule.expr.matchAll(/\b(laneguard_\w+|up)\b(\{[^}]*\})?/g)];
      expect(selectors.length, rule.name).toBeGreaterThan(0);
      for (const [text, , matchers] of selectors) {
        expect(matchers ?? '', `${rule.name}: ${text}`).toMatch(/^\{job="laneguard"[,}]/);
      }
    }
    expect(rulesSource.match(/job="[^"]*"/g)?.every((m) => m === 'job="laneguard"')).toBe(true);
  });

  it("reads the guard's own idle threshold instead of a number of its own", () => {
    const persistent = ruleByName.get('LaneguardPersistentIdle');
    expect(persistent?.expr).toContain(
      'laneguard_anomaly_active{job="laneguard",anomaly="persistent_idle_condition"}',
    );
    expect(persistent?.expr).not.toMatch(/>=\s*\d/);
  });

  it('reads gauges smoothed over 5m so one failed scrape does not reset `for:`', () => {
    for (const rule of rules) {
      if (/_total\b|absent\(|^up\{/.test(rule.expr)) continue;
      const bare = rule.expr
        .replace(/(last|max)_over_time\([^()]*\[5m\]\)/g, '')
        // Gates of a join (`and`/`unless` right-hand sides) and start-up time may stay instant.
        .replace(/(and|unless) on\([^)]*\)[\s\S]*$/, '');
      expect(bare, rule.name).not.toMatch(/laneguard_\w+\{/);
    }
  });
});

describe('alerts/tests (promtool test rules)', () => {
  it('passes for every test file', () => {
    expect(testFiles).toEqual(
      expect.arrayContaining([
        'fleet.yml',
        'healthy.yml',
        'missing_data.yml',
        'recovery.yml',
        'self.yml',
      ]),
    );
    const { status, output } = run(PROMTOOL, ['test', 'rules', ...testFiles], TESTS_DIR);
    for (const file of testFiles) {
      expect(output).toMatch(new RegExp(`Unit Testing: +${file.replace('.', '\\.')}\\n +SUCCESS`));
    }
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  });

  it.each(CONTRACT_ALERTS)('%s is tested firing, not firing, and at both edges', (name) => {
    const mine = expectations.filter((e) => e.alertname === name);
    expect(
      mine.some((e) => e.firing),
      'no firing expectation',
    ).toBe(true);
    expect(
      mine.some((e) => !e.firing),
      'no not-firing expectation',
    ).toBe(true);
    // Not firing one evaluation before firing, in the same test: the edge of
    // the `for:` window (or of the threshold when `for` is 0m).
    const edge = mine.some(
      (quiet) =>
        !quiet.firing &&
        mine.some(
          (fired) =>
            fired.firing &&
            fired.file === quiet.file &&
            fired.test === quiet.test &&
            fired.evalSeconds - quiet.evalSeconds === EVALUATION_INTERVAL_SEC,
        ),
    );
    expect(edge, 'no not-firing/firing pair one evaluation apart').toBe(true);
    const rule = ruleByName.get(name);
    expect(rule?.for).toBeDefined();
    const firstFiring = Math.min(...mine.filter((e) => e.firing).map((e) => e.evalSeconds));
    expect(firstFiring).toBeGreaterThanOrEqual(durationSeconds(rule?.for ?? '0s'));
  });

  it('with no laneguard series, evaluates every alert and expects only LaneguardMetricsAbsent', () => {
    const noSeries = expectations.filter(
      (e) => e.file === 'missing_data.yml' && e.test === 'no laneguard series',
    );
    expect(new Set(noSeries.map((e) => e.alertname))).toEqual(new Set(CONTRACT_ALERTS));
    expect([...new Set(noSeries.filter((e) => e.firing).map((e) => e.alertname))]).toEqual([
      'LaneguardMetricsAbsent',
    ]);
    const targetDown = expectations.filter(
      (e) => e.file === 'missing_data.yml' && e.test === 'laneguard target down',
    );
    expect(new Set(targetDown.map((e) => e.alertname))).toEqual(new Set(CONTRACT_ALERTS));
    expect(new Set(targetDown.filter((e) => e.firing).map((e) => e.alertname))).toEqual(
      new Set(['LaneguardDown', 'LaneguardMetricsAbsent']),
    );
  });

  it('fails when an alert is removed from the rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'laneguard-alerts-'));
    tempDirs.push(dir);
    cpSync(TESTS_DIR, join(dir, 'tests'), { recursive: true });
    const removed = rulesSource.replace(
      /^ {6}- alert: LaneguardStalePause\n[\s\S]*?(?=^ {6}- alert: |^ {2}- name: )/m,
      '',
    );
    expect(removed).not.toContain('LaneguardStalePause\n');
    writeFileSync(join(dir, 'laneguard.rules.yml'), removed);

    expect(run(PROMTOOL, ['check', 'rules', join(dir, 'laneguard.rules.yml')]).output).toContain(
      `SUCCESS: ${rules.length - 1} rules found`,
    );
    const { status, output } = run(PROMTOOL, ['test', 'rules', 'recovery.yml'], join(dir, 'tests'));
    expect(status).not.toBe(0);
    expect(output).toContain('alertname: LaneguardStalePause');
  });
});

describe('alerts/alertmanager.yml', () => {
  it('passes amtool check-config', () => {
    const { status, output } = run(AMTOOL, ['check-config', AM_CONFIG]);
    expect(output).toContain('SUCCESS');
    expect(output).toContain('2 receivers');
    expect(status).toBe(0);
  });

  it.each(CONTRACT_ALERTS)(
    'routes %s: recovery alerts to laneguard and default, others to default',
    (name) => {
      const rule = ruleByName.get(name);
      const labels = {
        alertname: name,
        ...rule?.labels,
        instance: '127.0.0.1:9477',
        lane: 'a',
        endpoint: 'e1',
      };
      const expected = RECOVERY_ACTIONS[name] ? 'laneguard,default' : 'default';
      const { status, output } = run(AMTOOL, [
        'config',
        'routes',
        'test',
        `--config.file=${AM_CONFIG}`,
        `--verify.receivers=${expected}`,
        ...Object.entries(labels).map(([key, value]) => `${key}=${value}`),
      ]);
      expect(output.trim().split('\n')).toContain(expected);
      expect(status).toBe(0);
    },
  );

  it('sends to the local receiver with a bearer token file and resolved notifications', () => {
    const config = readFileSync(AM_CONFIG, 'utf8');
    expect(config).toMatch(/^ +- url: http:\/\/127\.0\.0\.1:9477\/alertmanager\/webhook$/m);
    expect(config).toMatch(/^ +send_resolved: true$/m);
    expect(config).toMatch(
      /^ +authorization:\n +type: Bearer\n(?: *#.*\n)* +credentials_file: \/\S+$/m,
    );
    expect(config).toMatch(/^ {2}group_by: \[alertname, instance, lane, endpoint\]$/m);
  });
});
