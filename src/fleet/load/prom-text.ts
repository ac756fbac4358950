// Just enough of the Prometheus text format to read a few gauges of a model server's /metrics.

/**
 * The sum of every sample of `name` (all label sets: vLLM has one per model and engine), or null
 * when the family has no sample. A sample that is not a finite number makes the family unknown.
 */
export function sampleSum(text: string, name: string): number | null {
  let sum: number | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    // `name{labels} value [timestamp]` or `name value`; not a longer name sharing the prefix.
    let valuePart: string;
    if (rest.startsWith('{')) {
      const close = rest.lastIndexOf('}');
      if (close < 0) continue;
      valuePart = rest.slice(close + 1);
    } else if (rest.startsWith(' ') || rest.startsWith('\t')) {
      valuePart = rest;
    } else continue;
    const value = Number(valuePart.trim().split(/\s+/)[0]);
    if (!Number.isFinite(value)) return null;
    sum = (sum ?? 0) + value;
  }
  return sum;
}

/** A count read from a gauge: rounded, never negative. */
export function countOf(value: number | null): number | null {
  return value === null ? null : Math.max(0, Math.round(value));
}
