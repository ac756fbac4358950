// The exposition's text rules, as prom-client applies them, so series written here and series the
// registry renders read the same (the text format and OpenMetrics 1.0 share them for gauges).

/** HELP text: backslash and newline escaped. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

const NEEDS_ESCAPE = /[\\\n"]/;

/** A label value: backslash, newline and double quote escaped. */
export function escapeLabelValue(value: string): string {
  // Most values (lane ids, owners, states) need nothing: one test instead of three replaces, as
  // this runs for every lane of every scrape.
  if (!NEEDS_ESCAPE.test(value)) return value;
  return escapeHelp(value).replace(/"/g, '\\"');
}

/** A sample value, spelled as prom-client spells it (including its `Nan`). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}
