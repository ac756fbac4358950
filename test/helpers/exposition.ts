// A small parser of the exposition text (Prometheus text format and OpenMetrics) into comparable
// sets: samples as `name{label="value",…} value` with labels sorted and values unescaped, and the
// HELP / TYPE line of each family.

export interface Parsed {
  samples: string[];
  /** Family name → its `# HELP` and `# TYPE` lines, in the order they appear. */
  meta: Map<string, string[]>;
}

const unescape = (v: string): string =>
  v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

export function parseExposition(text: string): Parsed {
  const samples: string[] = [];
  const meta = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (line === '' || line === '# EOF') continue;
    const comment = /^# (HELP|TYPE) (\S+) /.exec(line);
    if (comment) {
      meta.set(comment[2]!, [...(meta.get(comment[2]!) ?? []), line]);
      continue;
    }
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const labels = [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((p) =>
      JSON.stringify([p[1], unescape(p[2]!)]),
    );
    samples.push(`${m[1]}{${labels.sort().join(',')}} ${m[3]}`);
  }
  return { samples: samples.sort(), meta };
}
