// Lists the PromQL of the shipped Grafana dashboards with template variables
// replaced by test values, so the queries can be run against a real Prometheus
// (queries-parse.test.ts here, and the end-to-end suite against live data).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DASHBOARD_DIR = path.join(REPO_ROOT, 'grafana', 'dashboards');

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}

export interface VariableQuery {
  dashboard: string;
  variable: string;
  query: string;
}

export interface TestValues {
  /** Value of `$lane` (a lane id). */
  lane: string;
  /** Value of `$__rate_interval`. */
  rateInterval: string;
  /** Value of `$__range` and `$__interval`. */
  range: string;
}

export const DEFAULT_TEST_VALUES: Readonly<TestValues> = Object.freeze({
  lane: 'example-lane',
  rateInterval: '1m',
  range: '5m',
});

export interface Target {
  refId?: unknown;
  expr?: unknown;
  datasource?: unknown;
  [key: string]: unknown;
}

export interface Panel {
  id?: unknown;
  type?: unknown;
  title?: unknown;
  description?: unknown;
  datasource?: unknown;
  gridPos?: unknown;
  targets?: Target[];
  panels?: Panel[];
  links?: Array<{ title?: unknown; url?: unknown }>;
  [key: string]: unknown;
}

export interface Dashboard {
  uid?: unknown;
  title?: unknown;
  panels?: Panel[];
  templating?: { list?: Array<Record<string, unknown>> };
  annotations?: { list?: Array<Record<string, unknown>> };
  links?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

/** Absolute paths of every dashboard JSON shipped in grafana/dashboards, sorted. */
export function dashboardFiles(): string[] {
  return readdirSync(DASHBOARD_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => path.join(DASHBOARD_DIR, name));
}

/** Reads a dashboard; a relative path is resolved against the repository root. */
export function loadDashboard(file: string): Dashboard {
  return JSON.parse(readFileSync(path.resolve(REPO_ROOT, file), 'utf8')) as Dashboard;
}

/** Every panel, rows included, with the panels nested in collapsed rows. */
export function allPanels(dashboard: Dashboard): Panel[] {
  const out: Panel[] = [];
  const visit = (panels: Panel[] | undefined) => {
    for (const panel of panels ?? []) {
      out.push(panel);
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return out;
}

function durationSeconds(duration: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(duration);
  if (!match) throw new Error(`unsupported duration ${duration}`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

const promString = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/**
 * Replaces Grafana template variables in a PromQL expression. `$instance`
 * (multi-value, "All") becomes a match-all regex, so its matcher is turned
 * into `=~".*"` whether it was written with `=` or `=~`. Any variable left
 * over is an error: the query could not run as written.
 */
export function substituteVariables(
  expr: string,
  values: TestValues = DEFAULT_TEST_VALUES,
): string {
  const rangeSeconds = durationSeconds(values.range);
  const builtins: Record<string, string> = {
    __rate_interval: values.rateInterval,
    __range: values.range,
    __interval: values.range,
    __range_s: String(rangeSeconds),
    __range_ms: String(rangeSeconds * 1000),
    __interval_ms: String(rangeSeconds * 1000),
    lane: promString(values.lane),
    // The job Prometheus scrapes laneguard under (the `job` variable's default).
    job: 'laneguard',
  };
  const out = expr
    .replace(
      /([A-Za-z_][A-Za-z0-9_]*)\s*=~?\s*"\$(?:\{instance(?::regex)?\}|instance\b)"/g,
      '$1=~".*"',
    )
    .replace(
      /\$\{(\w+)\}|\$(\w+)/g,
      (whole, braced: string | undefined, bare: string | undefined) => {
        const name = braced ?? bare ?? '';
        const value = builtins[name];
        if (value === undefined)
          throw new Error(`no test value for template variable ${whole} in: ${expr}`);
        return value;
      },
    );
  if (/\$|\[\[/.test(out)) throw new Error(`template variable left in: ${out}`);
  return out;
}

/** Every panel query of one dashboard (nested row panels included), variables substituted. */
export function dashboardQueries(
  file: string,
  values: TestValues = DEFAULT_TEST_VALUES,
): PanelQuery[] {
  const dashboard = loadDashboard(file);
  const uid = String(dashboard.uid);
  return allPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => {
      const where = `${uid} / ${String(panel.title)} / ${String(target.refId)}`;
      if (typeof target.expr !== 'string' || target.expr.trim() === '')
        throw new Error(`${where}: no expr`);
      return {
        dashboard: uid,
        panel: String(panel.title),
        refId: String(target.refId),
        expr: substituteVariables(target.expr, values),
      };
    }),
  );
}

/** The PromQL annotation queries of one dashboard (`panel` is the annotation name). */
export function dashboardAnnotationQueries(
  file: string,
  values: TestValues = DEFAULT_TEST_VALUES,
): PanelQuery[] {
  const dashboard = loadDashboard(file);
  return (dashboard.annotations?.list ?? []).flatMap((annotation) => {
    const expr = annotationExpr(annotation);
    return expr === undefined
      ? []
      : [
          {
            dashboard: String(dashboard.uid),
            panel: String(annotation.name),
            refId: 'annotation',
            expr: substituteVariables(expr, values),
          },
        ];
  });
}

/** The PromQL of a Prometheus annotation: `target.expr` (the schema's place for it). */
export function annotationExpr(annotation: Record<string, unknown>): string | undefined {
  const target = annotation.target as { expr?: unknown } | undefined;
  return typeof target?.expr === 'string' ? target.expr : undefined;
}

/** The query of a Prometheus query variable (`label_values(...)` etc.), variables substituted. */
export function variableQueryText(variable: Record<string, unknown>): string | undefined {
  const query = variable.query;
  if (typeof query === 'string') return query;
  if (
    query &&
    typeof query === 'object' &&
    typeof (query as { query?: unknown }).query === 'string'
  ) {
    return (query as { query: string }).query;
  }
  return undefined;
}

export function dashboardVariableQueries(
  file: string,
  values: TestValues = DEFAULT_TEST_VALUES,
): VariableQuery[] {
  const dashboard = loadDashboard(file);
  return (dashboard.templating?.list ?? [])
    .filter((variable) => variable.type === 'query')
    .map((variable) => ({
      dashboard: String(dashboard.uid),
      variable: String(variable.name),
      query: substituteVariables(variableQueryText(variable) ?? '', values),
    }));
}
