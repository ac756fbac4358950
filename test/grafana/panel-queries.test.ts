import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DASHBOARD_DIR,
  DEFAULT_TEST_VALUES,
  dashboardAnnotationQueries,
  dashboardFiles,
  dashboardQueries,
  dashboardVariableQueries,
  substituteVariables,
} from './panel-queries.js';

const OVERVIEW = path.join(DASHBOARD_DIR, 'laneguard-overview.json');
const LANE = path.join(DASHBOARD_DIR, 'laneguard-lane.json');

describe('substituteVariables', () => {
  it('replaces the Grafana interval variables', () => {
    expect(substituteVariables('increase(x_total[$__rate_interval])')).toBe(
      'increase(x_total[1m])',
    );
    expect(
      substituteVariables('increase(x_total[$__range]) + increase(y_total[${__interval}])'),
    ).toBe('increase(x_total[5m]) + increase(y_total[5m])');
    expect(substituteVariables('x > $__range_s', { ...DEFAULT_TEST_VALUES, range: '1h' })).toBe(
      'x > 3600',
    );
  });

  it('makes the instance matcher match all, whether written with = or =~', () => {
    expect(substituteVariables('x{instance=~"$instance", a="b"}')).toBe('x{instance=~".*", a="b"}');
    expect(substituteVariables('x{instance="${instance}"}')).toBe('x{instance=~".*"}');
  });

  it('puts the given lane into the query, quoted for PromQL', () => {
    expect(substituteVariables('x{lane="$lane"}', { ...DEFAULT_TEST_VALUES, lane: 'lane-7' })).toBe(
      'x{lane="lane-7"}',
    );
    expect(substituteVariables('x{lane="$lane"}', { ...DEFAULT_TEST_VALUES, lane: 'a"b' })).toBe(
      'x{lane="a\\"b"}',
    );
  });

  it('refuses a variable it has no value for, instead of passing it to Prometheus', () => {
    expect(() => substituteVariables('x{zone="$zone"}')).toThrow(/\$zone/);
    expect(() => substituteVariables('x{instance!="$instance"}')).toThrow(/instance/);
    expect(() => substituteVariables('x{a="[[old]]"}')).toThrow(/left in/);
  });
});

describe('dashboardQueries', () => {
  it('lists the dashboards of grafana/dashboards', () => {
    expect(dashboardFiles().map((file) => path.basename(file))).toEqual([
      'laneguard-lane.json',
      'laneguard-overview.json',
    ]);
  });

  it('lists every panel query with its dashboard, panel and refId, variables substituted', () => {
    const queries = dashboardQueries(OVERVIEW);
    expect(queries.length).toBeGreaterThan(20);
    for (const q of queries) {
      expect(q.dashboard).toBe('laneguard-overview');
      expect(q.panel).not.toBe('');
      expect(q.refId).toMatch(/^[A-Z]$/);
      expect(q.expr).not.toContain('$');
    }
    expect(queries).toContainEqual({
      dashboard: 'laneguard-overview',
      panel: 'Recovery actions',
      refId: 'A',
      expr: 'sum by (action, result) (increase(laneguard_recovery_actions_total{job=~"laneguard", instance=~".*"}[1m]))',
    });
  });

  it('includes the panels of collapsed rows', () => {
    const panels = new Set(dashboardQueries(OVERVIEW).map((q) => q.panel));
    expect(panels).toContain('Build');
    expect(panels).toContain('Process resources');
  });

  it('accepts a path relative to the repository root', () => {
    expect(dashboardQueries('grafana/dashboards/laneguard-overview.json')).toEqual(
      dashboardQueries(OVERVIEW),
    );
  });

  it('scopes the lane dashboard to the lane it is given', () => {
    const queries = dashboardQueries(LANE, { ...DEFAULT_TEST_VALUES, lane: 'lane-42' });
    expect(queries.length).toBeGreaterThan(10);
    for (const q of queries) expect(q.expr, `${q.panel}/${q.refId}`).toContain('lane="lane-42"');
  });

  it('lists annotation and variable queries separately', () => {
    expect(dashboardAnnotationQueries(OVERVIEW).map((q) => q.expr)).toEqual([
      'ALERTS{alertname=~"Laneguard.*", alertstate="firing", job=~"laneguard", instance=~".*"}',
    ]);
    expect(dashboardVariableQueries(LANE)).toContainEqual({
      dashboard: 'laneguard-lane',
      variable: 'lane',
      query: 'label_values(laneguard_lane_info{job=~"laneguard", instance=~".*"}, lane)',
    });
  });
});
