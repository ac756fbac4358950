// Reads the alerting rules of alerts/laneguard.rules.yml without a YAML
// dependency. It understands exactly the layout that file uses (`- alert:`
// items with scalar keys, `labels` / `annotations` mappings, quoted scalars
// and `|` / `>-` block scalars) and throws on anything else, so a layout
// change breaks the test loudly instead of being misread. The test also
// compares the rule count with promtool's.

export interface AlertRule {
  name: string;
  expr: string;
  for: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface Line {
  indent: number;
  text: string;
  lineNo: number;
}

const KEY_VALUE = /^([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?$/;

function unquote(raw: string, lineNo: number): string {
  const text = raw.trim();
  if (/^'(?:[^']|'')*'$/.test(text)) return text.slice(1, -1).replace(/''/g, "'");
  if (/^"(?:[^"\\]|\\.)*"$/.test(text)) return JSON.parse(text) as string;
  if (/^['"[{&*!]/.test(text)) throw new Error(`line ${lineNo}: unsupported scalar: ${text}`);
  return text;
}

export function parseAlertRules(source: string): AlertRule[] {
  const lines: Line[] = source.split('\n').map((raw, index) => ({
    indent: raw.length - raw.trimStart().length,
    text: raw.trim(),
    lineNo: index + 1,
  }));
  const rules: AlertRule[] = [];
  let pos = 0;

  // Lines of a block scalar: every following line indented deeper than `parent`.
  function blockScalar(style: string, parent: number): string {
    const body: string[] = [];
    while (pos < lines.length) {
      const line = lines[pos] as Line;
      if (line.text !== '' && line.indent <= parent) break;
      body.push(line.text);
      pos++;
    }
    while (body.length > 0 && body[body.length - 1] === '') body.pop();
    return style === '|' ? body.join('\n') : body.join(' ');
  }

  function value(raw: string | undefined, parent: number, lineNo: number): string {
    if (raw === '|' || raw === '>-') return blockScalar(raw, parent);
    if (raw === undefined) throw new Error(`line ${lineNo}: expected a value`);
    return unquote(raw, lineNo);
  }

  while (pos < lines.length) {
    const start = lines[pos] as Line;
    pos++;
    const alert = /^- alert: (\S+)$/.exec(start.text);
    if (!alert) continue;
    const keyIndent = start.indent + 2;
    const rule: AlertRule = {
      name: alert[1] as string,
      expr: '',
      for: undefined,
      labels: {},
      annotations: {},
    };
    while (pos < lines.length) {
      const line = lines[pos] as Line;
      if (line.text === '' || line.text.startsWith('#')) {
        pos++;
        continue;
      }
      if (line.indent < keyIndent) break;
      if (line.indent > keyIndent) throw new Error(`line ${line.lineNo}: unexpected indentation`);
      const kv = KEY_VALUE.exec(line.text);
      if (!kv) throw new Error(`line ${line.lineNo}: expected key: value, got ${line.text}`);
      const key = kv[1] as string;
      pos++;
      if (key === 'labels' || key === 'annotations') {
        if (kv[2] !== undefined)
          throw new Error(`line ${line.lineNo}: ${key} must be a block mapping`);
        const target = key === 'labels' ? rule.labels : rule.annotations;
        while (pos < lines.length) {
          const child = lines[pos] as Line;
          if (child.text === '' || child.text.startsWith('#')) {
            pos++;
            continue;
          }
          if (child.indent <= keyIndent) break;
          const childKv = KEY_VALUE.exec(child.text);
          if (!childKv || child.indent !== keyIndent + 2) {
            throw new Error(`line ${child.lineNo}: expected ${key} entry, got ${child.text}`);
          }
          pos++;
          target[childKv[1] as string] = value(childKv[2], child.indent, child.lineNo);
        }
      } else if (key === 'expr') {
        rule.expr = value(kv[2], keyIndent, line.lineNo);
      } else if (key === 'for') {
        rule.for = value(kv[2], keyIndent, line.lineNo);
      } else {
        throw new Error(`line ${line.lineNo}: unknown alert key ${key}`);
      }
    }
    rules.push(rule);
  }
  return rules;
}

export interface EvalExpectation {
  file: string;
  test: string;
  alertname: string;
  evalSeconds: number;
  firing: boolean;
}

// Durations as promtool writes them here: `1h`, `2m30s`, `45s`, `0m`.
export function durationSeconds(text: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === '') throw new Error(`unsupported duration: ${text}`);
  const [, h = '0', m = '0', s = '0'] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

// Alert expectations of a promtool test file: one per `- eval_time:` item
// of each named test; `exp_alerts: []` means "not firing", a list of
// `exp_labels` items "firing".
export function parseAlertExpectations(file: string, source: string): EvalExpectation[] {
  const tests = source.split(/^ {2}- name: /m).slice(1);
  if (tests.length === 0) throw new Error(`${file}: no named tests`);
  return tests.flatMap((testText) => {
    const test = testText.split('\n')[0]?.trim() ?? '';
    return testText
      .split(/^\s*- eval_time: /m)
      .slice(1)
      .map((item) => {
        const evalTime = item.split('\n')[0]?.trim() ?? '';
        const alertname = /^\s*alertname: (\S+)$/m.exec(item)?.[1];
        const exp = /^\s*exp_alerts:(.*)$/m.exec(item)?.[1]?.trim();
        if (!alertname || exp === undefined) {
          throw new Error(
            `${file} / ${test}: eval_time ${evalTime} without alertname or exp_alerts`,
          );
        }
        if (exp !== '' && exp !== '[]') throw new Error(`${file}: unsupported exp_alerts: ${exp}`);
        const firing = exp === '' && /exp_alerts:[ ]*\n\s*- exp_labels:/.test(item);
        return { file, test, alertname, evalSeconds: durationSeconds(evalTime), firing };
      });
  });
}
