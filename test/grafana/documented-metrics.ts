// The metric families documented in docs/metrics.md: the first column of its
// tables, plus the backticked names of its "Self" section, where a name ending
// in `_*` (prom-client's default metrics) documents a prefix.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './panel-queries.js';

export interface DocumentedMetrics {
  /** family name → type column ("gauge", "counter", "histogram", "gauge (1)", ...; "" when untyped) */
  families: Map<string, string>;
  prefixes: string[];
}

export function documentedMetrics(
  file = path.join(REPO_ROOT, 'docs', 'metrics.md'),
): DocumentedMetrics {
  const families = new Map<string, string>();
  const prefixes: string[] = [];
  let section = '';
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const heading = /^#+\s+(.*)$/.exec(line);
    if (heading) {
      section = heading[1] ?? '';
      continue;
    }
    if (line.startsWith('|')) {
      const cells = line.split('|').map((cell) => cell.trim());
      const name = /^`(laneguard_[a-z_]+)(?:\{[^}]*\})?`$/.exec(cells[1] ?? '');
      if (name) families.set(name[1] as string, cells[2] ?? '');
    } else if (/^Self\b/.test(section)) {
      for (const match of line.matchAll(/`(laneguard_[a-z_]+)(\*)?(?:\{[^}]*\})?`/g)) {
        if (match[2]) prefixes.push(match[1] as string);
        else families.set(match[1] as string, '');
      }
    }
  }
  return { families, prefixes };
}

/**
 * Whether a metric name used in a query is documented: a family, a histogram
 * family's `_bucket`/`_sum`/`_count` series, or under a documented prefix.
 */
export function isDocumentedMetric(name: string, docs: DocumentedMetrics): boolean {
  if (docs.families.has(name)) return true;
  const series = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (series && docs.families.get(series[1] as string) === 'histogram') return true;
  return docs.prefixes.some((prefix) => name.startsWith(prefix) && name.length > prefix.length);
}

export const metricNames = (expr: string): string[] => [
  ...new Set(expr.match(/laneguard_[a-z_]+/g) ?? []),
];
