// The shipped dashboards against Grafana's published dashboard schema (@grafana/schema, the version
// docs/grafana.md names).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_DIR, REPO_ROOT } from './panel-queries.js';
import { checkDashboards, grafanaSchemaVersion } from './schema-check.js';

const FILES = ['laneguard-overview.json', 'laneguard-lane.json'];
const read = (file: string): string => readFileSync(path.join(DASHBOARD_DIR, file), 'utf8');

describe('dashboards and the Grafana dashboard schema', () => {
  it('both dashboards satisfy it', () => {
    const problems = checkDashboards(Object.fromEntries(FILES.map((f) => [f, read(f)])), REPO_ROOT);
    expect(problems).toEqual([]);
  }, 120_000);

  it('the check catches an unknown key, a wrong type and an unknown enum value, with the line', () => {
    const overview = read('laneguard-overview.json');
    const broken = {
      'unknown-key.json': overview.replace('"graphTooltip":', '"graphTooltipp":'),
      'wrong-type.json': overview.replace(/"refresh": "[^"]*"/, '"refresh": 30'),
      'bad-enum.json': overview.replace('"mode": "absolute"', '"mode": "relative-ish"'),
    };
    const problems = checkDashboards(broken, REPO_ROOT);
    const byFile = (file: string) => problems.filter((p) => p.file === file);
    expect(
      byFile('unknown-key.json')
        .map((p) => p.message)
        .join('\n'),
    ).toMatch(/graphTooltipp/);
    expect(byFile('wrong-type.json')).not.toEqual([]);
    expect(
      byFile('bad-enum.json')
        .map((p) => p.message)
        .join('\n'),
    ).toMatch(/relative-ish/);
    const line = overview.split('\n').findIndex((l) => l.includes('"graphTooltip":')) + 1;
    expect(byFile('unknown-key.json')[0]?.line).toBe(line);
  }, 120_000);

  it('docs/grafana.md names the schema version checked against', () => {
    expect(readFileSync(path.join(REPO_ROOT, 'docs', 'grafana.md'), 'utf8')).toContain(
      `@grafana/schema\` ${grafanaSchemaVersion(REPO_ROOT)}`,
    );
  });
});
