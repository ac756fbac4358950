import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentedMetrics, isDocumentedMetric, metricNames } from './documented-metrics.js';
import { parseAlertRules } from '../alerts/rules-file.js';
import { parseYamlFile as parseYaml } from '../helpers/yaml.js';
import { CONTRACT_ALERTS as ALERT_NAMES } from '../helpers/contract.js';
import {
  annotationExpr,
  DASHBOARD_DIR,
  REPO_ROOT,
  allPanels,
  loadDashboard,
  variableQueryText,
  type Dashboard,
  type Panel,
} from './panel-queries.js';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const OVERVIEW = path.join(DASHBOARD_DIR, 'laneguard-overview.json');
const LANE = path.join(DASHBOARD_DIR, 'laneguard-lane.json');
const DASHBOARDS = [
  { file: OVERVIEW, uid: 'laneguard-overview' },
  { file: LANE, uid: 'laneguard-lane' },
];

// Grafana's own variables that may appear in queries and links.
const BUILTIN_VARIABLES = new Set([
  '__rate_interval',
  '__range',
  '__interval',
  '__data',
  '__url_time_range',
  '__all',
]);

const isRow = (panel: Panel) => panel.type === 'row';
const contentPanels = (dashboard: Dashboard) =>
  allPanels(dashboard).filter((panel) => !isRow(panel));
const variables = (dashboard: Dashboard) => dashboard.templating?.list ?? [];
const variable = (dashboard: Dashboard, name: string) =>
  variables(dashboard).find((v) => v.name === name);

/** Every string in the JSON tree, with its path, for checks that must hold everywhere. */
function strings(value: unknown, at = '$'): Array<{ at: string; text: string }> {
  if (typeof value === 'string') return [{ at, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, i) => strings(item, `${at}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => strings(item, `${at}.${key}`));
  }
  return [];
}

/** Every value of a `datasource` key anywhere in the JSON tree. */
function datasourceRefs(value: unknown, at = '$'): Array<{ at: string; ref: unknown }> {
  if (Array.isArray(value)) return value.flatMap((item, i) => datasourceRefs(item, `${at}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) =>
      key === 'datasource'
        ? [{ at: `${at}.${key}`, ref: item }]
        : datasourceRefs(item, `${at}.${key}`),
    );
  }
  return [];
}

/** Every PromQL expression: panel targets, annotations and query variables. */
function expressions(dashboard: Dashboard): Array<{ where: string; expr: string }> {
  const fromPanels = contentPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      where: `${String(panel.title)}/${String(target.refId)}`,
      expr: String(target.expr),
    })),
  );
  const fromAnnotations = (dashboard.annotations?.list ?? []).flatMap((annotation) => {
    const expr = annotationExpr(annotation);
    return expr === undefined ? [] : [{ where: `annotation ${String(annotation.name)}`, expr }];
  });
  const fromVariables = variables(dashboard)
    .filter((v) => v.type === 'query')
    .map((v) => ({ where: `variable ${String(v.name)}`, expr: variableQueryText(v) ?? '' }));
  return [...fromPanels, ...fromAnnotations, ...fromVariables];
}

function panelLinks(dashboard: Dashboard): Array<{ panel: string; url: string }> {
  return contentPanels(dashboard).flatMap((panel) =>
    (panel.links ?? []).map((link) => ({ panel: String(panel.title), url: String(link.url) })),
  );
}

type Rect = { x: number; y: number; w: number; h: number };
const overlaps = (a: Rect, b: Rect) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

function overlappingPanels(panels: Panel[]): string[] {
  const found: string[] = [];
  panels.forEach((a, i) =>
    panels.slice(i + 1).forEach((b) => {
      if (overlaps(a.gridPos as Rect, b.gridPos as Rect))
        found.push(`${String(a.title)} overlaps ${String(b.title)}`);
    }),
  );
  return found;
}

const docs = documentedMetrics();

describe('grafana/dashboards', () => {
  it('holds exactly the overview and the lane drill-down', () => {
    expect(readdirSync(DASHBOARD_DIR).sort()).toEqual([
      'laneguard-lane.json',
      'laneguard-overview.json',
    ]);
  });

  it('docs/metrics.md parses into the documented families', () => {
    // Guards the parser itself: an empty or partial set would make the metric checks meaningless.
    expect(docs.families.size).toBeGreaterThanOrEqual(50);
    expect(docs.families.get('laneguard_fleet_idle')).toBe('gauge');
    expect(docs.families.get('laneguard_cycle_duration_seconds')).toBe('histogram');
    expect(docs.families.has('laneguard_build_info')).toBe(true);
    expect(isDocumentedMetric('laneguard_cycle_duration_seconds_bucket', docs)).toBe(true);
    expect(isDocumentedMetric('laneguard_lane_starts_total_count', docs)).toBe(false);
    expect(isDocumentedMetric('laneguard_fleet_idel', docs)).toBe(false);
  });
});

describe.each(DASHBOARDS)('$uid', ({ file, uid }) => {
  const raw = readFileSync(file, 'utf8');
  const dashboard = loadDashboard(file);

  it('is valid JSON with a fixed uid, no database id and a current schema', () => {
    expect(() => JSON.parse(raw)).not.toThrow();
    expect(dashboard.uid).toBe(uid);
    expect(dashboard.id).toBeNull();
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(String(dashboard.title)).toMatch(/^laneguard/);
    expect(dashboard.tags).toContain('laneguard');
  });

  it('imports without inputs: no __inputs, no ${DS_…} placeholders', () => {
    expect(raw).not.toContain('__inputs');
    expect(raw).not.toContain('${DS_');
    expect(dashboard).not.toHaveProperty('__requires');
  });

  it('has the datasource, laneguard_url, job and instance variables', () => {
    expect(variable(dashboard, 'datasource')).toMatchObject({
      type: 'datasource',
      query: 'prometheus',
    });
    const url = variable(dashboard, 'laneguard_url');
    expect(['textbox', 'constant']).toContain(url?.type);
    expect(url?.query).toBe('http://127.0.0.1:9477');
    const instance = variable(dashboard, 'instance');
    expect(instance).toMatchObject({
      type: 'query',
      multi: true,
      includeAll: true,
      allValue: '.*',
      datasource: DATASOURCE,
    });
    expect(variableQueryText(instance ?? {})).toBe(
      'label_values(laneguard_build_info{job=~"$job"}, instance)',
    );
    // Job next to instance: laneguard scraped under another job name still shows, and only it.
    const job = variable(dashboard, 'job');
    expect(job).toMatchObject({
      type: 'query',
      multi: false,
      includeAll: false,
      datasource: DATASOURCE,
    });
    expect(variableQueryText(job ?? {})).toBe('label_values(laneguard_build_info, job)');
    expect((job?.current as { value?: string } | undefined)?.value).toBe('laneguard');
    const names = variables(dashboard).map((v) => v.name);
    expect(names.indexOf('job')).toBe(names.indexOf('instance') - 1);
    expect(new Set(variables(dashboard).map((v) => v.name)).size).toBe(variables(dashboard).length);
  });

  it('uses the ${datasource} variable for every datasource reference', () => {
    const refs = datasourceRefs(dashboard);
    expect(refs.length).toBeGreaterThan(contentPanels(dashboard).length);
    for (const { at, ref } of refs) expect(ref, at).toEqual(DATASOURCE);
    for (const panel of contentPanels(dashboard)) {
      expect(panel.datasource, String(panel.title)).toEqual(DATASOURCE);
      for (const target of panel.targets ?? [])
        expect(target.datasource, `${String(panel.title)}/${String(target.refId)}`).toEqual(
          DATASOURCE,
        );
    }
  });

  it('gives every panel a title, a description and at least one query with an expr and a refId', () => {
    const panels = contentPanels(dashboard);
    expect(panels.length).toBeGreaterThanOrEqual(10);
    for (const panel of panels) {
      const title = String(panel.title);
      expect(title.trim(), `panel ${String(panel.id)}`).not.toBe('');
      expect(String(panel.description ?? '').trim(), title).not.toBe('');
      expect(panel.targets?.length ?? 0, title).toBeGreaterThan(0);
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      expect(new Set(refIds).size, `${title}: refIds unique`).toBe(refIds.length);
      for (const target of panel.targets ?? []) {
        expect(target.refId, title).toMatch(/^[A-Za-z][\w-]*$/);
        expect(
          typeof target.expr === 'string' && target.expr.trim() !== '',
          `${title}/${String(target.refId)}`,
        ).toBe(true);
      }
    }
    const titles = panels.map((panel) => panel.title);
    expect(new Set(titles).size, 'panel titles unique').toBe(titles.length);
  });

  it('has unique panel ids and a gridPos on every panel, without overlaps', () => {
    const panels = allPanels(dashboard);
    const ids = panels.map((panel) => panel.id);
    for (const id of ids)
      expect(Number.isInteger(id) && (id as number) > 0, `id ${String(id)}`).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      const grid = panel.gridPos as Rect | undefined;
      expect(grid, String(panel.title)).toBeDefined();
      const { x, y, w, h } = grid as Rect;
      for (const n of [x, y, w, h]) expect(Number.isInteger(n), String(panel.title)).toBe(true);
      expect(
        w > 0 && h > 0 && x >= 0 && y >= 0 && x + w <= 24,
        `${String(panel.title)} ${JSON.stringify(grid)}`,
      ).toBe(true);
    }
    // Top-level panels share one layout; a collapsed row's panels are laid out when it opens.
    expect(overlappingPanels(dashboard.panels ?? [])).toEqual([]);
    for (const row of (dashboard.panels ?? []).filter(
      (panel) => isRow(panel) && panel.collapsed === true,
    )) {
      expect(overlappingPanels(row.panels ?? [])).toEqual([]);
    }
    for (const row of (dashboard.panels ?? []).filter(
      (panel) => isRow(panel) && panel.collapsed !== true,
    )) {
      expect(
        row.panels ?? [],
        `open row ${String(row.title)} keeps its panels at top level`,
      ).toEqual([]);
    }
  });

  it('queries only metric families documented in docs/metrics.md', () => {
    const exprs = expressions(dashboard);
    const used = exprs.flatMap(({ where, expr }) =>
      metricNames(expr).map((name) => ({ where, name })),
    );
    expect(used.length).toBeGreaterThan(10);
    const undocumented = used.filter(({ name }) => !isDocumentedMetric(name, docs));
    expect(undocumented).toEqual([]);
  });

  it('filters every selector by the job and instance variables', () => {
    for (const { where, expr } of expressions(dashboard)) {
      if (where === 'variable instance' || where === 'variable job') continue;
      expect(expr, where).not.toMatch(/instance\s*=\s*"\$instance"/);
      expect(expr, where).not.toMatch(/job\s*=\s*"laneguard"/);
      for (const match of expr.matchAll(/\b(?:laneguard_[a-z_]+\b|ALERTS(?=\{)|up(?=\{))/g)) {
        const selector = /^\{[^}]*\}/.exec(expr.slice((match.index ?? 0) + match[0].length));
        expect(selector?.[0] ?? '(no selector)', `${where}: ${match[0]}`).toContain(
          'instance=~"$instance"',
        );
        expect(selector?.[0] ?? '(no selector)', `${where}: ${match[0]}`).toContain('job=~"$job"');
      }
    }
  });

  it('references only defined template variables and Grafana built-ins', () => {
    const defined = new Set(variables(dashboard).map((v) => String(v.name)));
    for (const { at, text } of strings(dashboard)) {
      for (const match of text.matchAll(/\$\{(\w+)|\$(\w+)/g)) {
        const name = match[1] ?? match[2] ?? '';
        expect(defined.has(name) || BUILTIN_VARIABLES.has(name), `${at}: ${text}`).toBe(true);
      }
    }
  });

  it('links panels to runbooks of real alerts through ${laneguard_url}', () => {
    const links = panelLinks(dashboard);
    expect(links.length).toBeGreaterThan(0);
    for (const { panel, url } of links) {
      const runbook = /^\$\{laneguard_url:raw\}\/runbooks\/(\w+)$/.exec(url);
      expect(runbook, `${panel}: ${url}`).not.toBeNull();
      expect(ALERT_NAMES, `${panel}: ${url}`).toContain(runbook?.[1]);
    }
  });

  it('links only runbooks of alerts defined in alerts/laneguard.rules.yml', () => {
    const rules = parseAlertRules(
      readFileSync(path.join(REPO_ROOT, 'alerts', 'laneguard.rules.yml'), 'utf8'),
    );
    const alerts = new Set(rules.map((rule) => rule.name));
    expect(alerts.size).toBeGreaterThan(0);
    for (const { panel, url } of panelLinks(dashboard)) {
      const name = url.split('/').pop() ?? '';
      expect(alerts.has(name), `${panel}: no rule for ${name}`).toBe(true);
    }
  });

  it('links to the laneguard status page and only to dashboards that exist', () => {
    const urls = (dashboard.links ?? []).map((link) => String(link.url));
    expect(urls).toContain('${laneguard_url:raw}/');
    const known = DASHBOARDS.map((d) => d.uid);
    const referenced = strings(dashboard).flatMap(({ text }) =>
      [...text.matchAll(/\/d\/([\w-]+)/g)].map((m) => m[1]),
    );
    expect(referenced.length).toBeGreaterThan(0);
    for (const target of referenced) expect(known).toContain(target);
  });

  it('annotates firing laneguard alerts from Prometheus', () => {
    const alerts = (dashboard.annotations?.list ?? []).filter((annotation) =>
      String(annotationExpr(annotation)).startsWith('ALERTS{'),
    );
    expect(alerts.length).toBeGreaterThan(0);
    for (const annotation of alerts) {
      expect(annotation.datasource).toEqual(DATASOURCE);
      expect(annotationExpr(annotation)).toMatch(/alertname=~"Laneguard\.\*"/);
      expect(annotationExpr(annotation)).toMatch(/alertstate="firing"/);
      // The schema's place for the query (a top-level `expr` is the legacy form Grafana migrates).
      expect(annotation).not.toHaveProperty('expr');
    }
    expect(alerts.some((annotation) => annotation.enable === true)).toBe(true);
  });
});

describe('laneguard-overview', () => {
  const dashboard = loadDashboard(OVERVIEW);
  const exprs = expressions(dashboard)
    .map(({ expr }) => expr)
    .join('\n');

  it.each([
    'laneguard_fleet_idle',
    'laneguard_idle_consecutive_cycles',
    'laneguard_local_lanes',
    'laneguard_lanes_starved',
    'laneguard_local_pending_work',
    'laneguard_endpoint_up',
    'laneguard_endpoint_state',
    'laneguard_endpoint_probe_duration_seconds',
    'laneguard_endpoint_utilization_ratio',
    'laneguard_recovery_actions_total',
    'laneguard_recovery_skips_total',
    'laneguard_webhook_alerts_total',
    'laneguard_anomaly_active',
    'laneguard_watchdog_restarts_total',
    'laneguard_watchdog_gave_up',
  ])('shows %s', (family) => {
    expect(metricNames(exprs)).toContain(family);
  });

  it('breaks recovery actions down by action and result, and counters use rate windows', () => {
    expect(exprs).toMatch(
      /sum by \(action, result\) \(increase\(laneguard_recovery_actions_total\{[^}]*\}\[\$__rate_interval\]\)\)/,
    );
    expect(exprs).toMatch(/increase\(laneguard_recovery_actions_total\{[^}]*\}\[\$__range\]\)/);
    expect(exprs).toMatch(/laneguard_anomaly_active\{[^}]*\} == 1/);
    for (const match of exprs.matchAll(
      /(?:rate|increase)\((laneguard_[a-z_]+)\{[^}]*\}\[([^\]]+)\]\)/g,
    )) {
      expect(['$__rate_interval', '$__range'], match[0]).toContain(match[2]);
      expect(match[1], match[0]).toMatch(/_total$|_bucket$|_sum$|_count$/);
    }
  });

  it('links every alert of the spec to its runbook from some panel', () => {
    const linked = new Set(panelLinks(dashboard).map(({ url }) => url.split('/').pop()));
    expect(ALERT_NAMES.filter((alert) => !linked.has(alert))).toEqual([]);
  });

  it('links to the lane drill-down, keeping variables and time', () => {
    expect(dashboard.links).toContainEqual(
      expect.objectContaining({
        type: 'link',
        url: '/d/laneguard-lane/laneguard-lane',
        includeVars: true,
        keepTime: true,
      }),
    );
    const laneTable = contentPanels(dashboard).find((panel) => panel.title === 'Lanes');
    expect(JSON.stringify(laneTable)).toContain(
      '/d/laneguard-lane/laneguard-lane?var-lane=${__data.fields.lane}',
    );
  });
});

describe('laneguard-lane', () => {
  const dashboard = loadDashboard(LANE);
  const exprs = expressions(dashboard);

  it('has a single-valued lane variable from laneguard_lane_info', () => {
    const lane = variable(dashboard, 'lane');
    expect(lane).toMatchObject({
      type: 'query',
      multi: false,
      includeAll: false,
      datasource: DATASOURCE,
    });
    expect(variableQueryText(lane ?? {})).toMatch(
      /^label_values\(laneguard_lane_info(\{[^}]*\})?, lane\)$/,
    );
  });

  it('scopes every panel query to the selected lane', () => {
    for (const panel of contentPanels(dashboard)) {
      for (const target of panel.targets ?? []) {
        expect(String(target.expr), `${String(panel.title)}/${String(target.refId)}`).toMatch(
          /laneguard_[a-z_]+\{lane="\$lane"/,
        );
      }
    }
  });

  it.each([
    'laneguard_lane_running',
    'laneguard_lane_pause_age_seconds',
    'laneguard_lane_paused',
    'laneguard_lane_pause_held',
    'laneguard_lane_pause_stale',
    'laneguard_lane_work_items',
    'laneguard_lane_heartbeat_age_seconds',
    'laneguard_lane_starts_total',
    'laneguard_lane_unpauses_total',
    'laneguard_lane_backoff_seconds',
    'laneguard_lane_starved',
  ])('shows %s', (family) => {
    expect(metricNames(exprs.map(({ expr }) => expr).join('\n'))).toContain(family);
  });

  it('breaks work items down by state and starts by trigger and result', () => {
    const all = exprs.map(({ expr }) => expr).join('\n');
    expect(all).toContain('sum by (state) (laneguard_lane_work_items{lane="$lane"');
    expect(all).toMatch(
      /sum by \(trigger, result\) \(increase\(laneguard_lane_starts_total\{lane="\$lane"[^}]*\}\[\$__rate_interval\]\)\)/,
    );
  });

  it('links back to the fleet overview', () => {
    expect(dashboard.links).toContainEqual(
      expect.objectContaining({
        type: 'link',
        url: '/d/laneguard-overview/laneguard-overview',
        includeVars: true,
        keepTime: true,
      }),
    );
  });
});

describe('grafana/provisioning', () => {
  const providerFile = path.join(
    REPO_ROOT,
    'grafana',
    'provisioning',
    'dashboards',
    'laneguard.yml',
  );
  const datasourceFile = path.join(
    REPO_ROOT,
    'grafana',
    'provisioning',
    'datasources',
    'prometheus.yml',
  );

  it('dashboards: a file provider whose path is where the comment says to copy the JSON', () => {
    const text = readFileSync(providerFile, 'utf8');
    const doc = parseYaml(text) as {
      apiVersion: number;
      providers: Array<Record<string, unknown>>;
    };
    expect(doc.apiVersion).toBe(1);
    expect(doc.providers).toHaveLength(1);
    const provider = doc.providers[0] as { type: string; options: { path: string }; name: string };
    expect(provider).toMatchObject({ name: 'laneguard', type: 'file' });
    const dir = provider.options.path;
    expect(path.isAbsolute(dir)).toBe(true);
    const comments = text
      .split('\n')
      .filter((line) => line.trimStart().startsWith('#'))
      .join('\n');
    expect(comments).toContain('grafana/dashboards/*.json');
    expect(comments).toContain(dir);
    expect(comments).toContain('/etc/grafana/provisioning/dashboards/');
  });

  it('datasources: a Prometheus data source with a fixed uid at 127.0.0.1:9090', () => {
    const text = readFileSync(datasourceFile, 'utf8');
    const doc = parseYaml(text) as {
      apiVersion: number;
      datasources: Array<Record<string, unknown>>;
    };
    expect(doc.apiVersion).toBe(1);
    expect(doc.datasources).toHaveLength(1);
    const source = doc.datasources[0];
    expect(source).toMatchObject({
      type: 'prometheus',
      access: 'proxy',
      url: 'http://127.0.0.1:9090',
    });
    expect(source?.uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
    expect(
      text
        .split('\n')
        .filter((line) => line.trimStart().startsWith('#'))
        .join('\n'),
    ).toContain('/etc/grafana/provisioning/datasources/');
  });
});

describe('docs/grafana.md', () => {
  const readDoc = () => readFileSync(path.join(REPO_ROOT, 'docs', 'grafana.md'), 'utf8');

  it.each(DASHBOARDS)('describes every panel and variable of $uid', ({ file, uid }) => {
    const text = readDoc();
    const dashboard = loadDashboard(file);
    expect(text).toContain(uid);
    const missing = [
      ...contentPanels(dashboard).map((panel) => `**${String(panel.title)}**`),
      ...variables(dashboard).map((v) => `\`${String(v.name)}\``),
    ].filter((name) => !text.includes(name));
    expect(missing).toEqual([]);
  });

  it('names both provisioning files', () => {
    const text = readDoc();
    expect(text).toContain('grafana/provisioning/dashboards/laneguard.yml');
    expect(text).toContain('grafana/provisioning/datasources/prometheus.yml');
  });
});
