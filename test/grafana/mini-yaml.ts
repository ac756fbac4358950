// A strict reader for the small block-style YAML subset used by Grafana
// provisioning files: nested mappings, sequences, plain or quoted scalars and
// comments. The project has no YAML dependency; anything outside the subset
// (flow collections, block scalars, anchors, tags) throws instead of being
// misread.

export type YamlValue =
  string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  indent: number;
  text: string;
  lineNo: number;
}

const KEY = /^([A-Za-z_][A-Za-z0-9_.-]*)\s*:(?:\s+(.*))?$/;

function stripComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || text[i - 1] === ' ')) {
      return text.slice(0, i).trimEnd();
    }
  }
  return text.trimEnd();
}

function scalar(raw: string, lineNo: number): YamlValue {
  const text = raw.trim();
  if (/^[[{|>&*!]/.test(text)) throw new Error(`line ${lineNo}: unsupported YAML syntax: ${text}`);
  if (/^"(?:[^"\\]|\\.)*"$/.test(text)) return JSON.parse(text) as string;
  if (/^'(?:[^']|'')*'$/.test(text)) return text.slice(1, -1).replace(/''/g, "'");
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === '' || text === 'null' || text === '~') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

export function parseYaml(source: string): YamlValue {
  const lines: Line[] = [];
  source.split('\n').forEach((rawLine, index) => {
    if (/^\s*\t/.test(rawLine)) throw new Error(`line ${index + 1}: tab indentation`);
    const text = stripComment(rawLine);
    if (text.trim() === '' || text.trim() === '---') return;
    lines.push({
      indent: text.length - text.trimStart().length,
      text: text.trim(),
      lineNo: index + 1,
    });
  });
  let pos = 0;
  const isItem = (line: Line) => line.text === '-' || line.text.startsWith('- ');

  function block(indent: number): YamlValue {
    const line = lines[pos];
    if (!line) return null;
    return isItem(line) ? sequence(indent) : mapping(indent);
  }

  function mapping(indent: number): YamlValue {
    const out: { [key: string]: YamlValue } = {};
    for (
      let line = lines[pos];
      line && line.indent === indent && !isItem(line);
      line = lines[pos]
    ) {
      const match = KEY.exec(line.text);
      if (!match) throw new Error(`line ${line.lineNo}: expected "key: value", got: ${line.text}`);
      const key = match[1] as string;
      if (key in out) throw new Error(`line ${line.lineNo}: duplicate key ${key}`);
      pos++;
      const next = lines[pos];
      if (match[2] !== undefined) out[key] = scalar(match[2], line.lineNo);
      else if (next && next.indent > indent) out[key] = block(next.indent);
      else if (next && next.indent === indent && isItem(next)) out[key] = sequence(indent);
      else out[key] = null;
    }
    const stray = lines[pos];
    if (stray && stray.indent > indent)
      throw new Error(`line ${stray.lineNo}: unexpected indentation`);
    return out;
  }

  function sequence(indent: number): YamlValue[] {
    const out: YamlValue[] = [];
    for (let line = lines[pos]; line && line.indent === indent && isItem(line); line = lines[pos]) {
      const content = line.text.slice(1).trimStart();
      if (content === '') {
        pos++;
        const next = lines[pos];
        out.push(next && next.indent > indent ? block(next.indent) : null);
      } else if (KEY.test(content)) {
        // "- key: value" opens a mapping whose keys align with "key".
        const itemIndent = indent + (line.text.length - content.length);
        lines[pos] = { indent: itemIndent, text: content, lineNo: line.lineNo };
        out.push(mapping(itemIndent));
      } else {
        out.push(scalar(content, line.lineNo));
        pos++;
      }
    }
    return out;
  }

  const first = lines[0];
  const result = first ? block(first.indent) : null;
  const rest = lines[pos];
  if (rest) throw new Error(`line ${rest.lineNo}: unexpected content: ${rest.text}`);
  return result;
}
