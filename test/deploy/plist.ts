// A strict reader for XML property lists (the subset launchd plists use): a test that a plist is
// well formed needs one, and neither Node nor the project's dependencies have it.

export type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

const DECL = '<?xml version="1.0" encoding="UTF-8"?>';
const DOCTYPE =
  '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">';
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescape(text: string): string {
  return text.replace(/&([a-z]+);/g, (whole, name: string) => {
    const value = ENTITIES[name];
    if (value === undefined) throw new Error(`unknown entity ${whole}`);
    return value;
  });
}

/** Parse a plist document; throws with a reason for anything not well formed. */
export function parsePlist(text: string): PlistValue {
  if (!text.startsWith(`${DECL}\n${DOCTYPE}\n`))
    throw new Error('must start with the XML declaration and the plist DOCTYPE');
  let rest = text.slice(DECL.length + DOCTYPE.length + 2);
  const skip = (): void => {
    for (;;) {
      rest = rest.replace(/^\s+/, '');
      if (!rest.startsWith('<!--')) return;
      const end = rest.indexOf('-->');
      if (end < 0) throw new Error('unterminated comment');
      if (rest.slice(4, end).includes('--')) throw new Error('"--" inside a comment');
      rest = rest.slice(end + 3);
    }
  };
  const take = (re: RegExp, what: string): RegExpExecArray => {
    skip();
    const m = re.exec(rest);
    if (!m) throw new Error(`expected ${what} at: ${rest.slice(0, 40)}`);
    rest = rest.slice(m[0].length);
    return m;
  };
  const value = (): PlistValue => {
    const open = take(/^<(string|integer|true|false|dict|array)(\/?)>/, 'a value');
    const [, tag, selfClosing] = open;
    if (tag === 'true' || tag === 'false') {
      if (!selfClosing) take(new RegExp(`^</${tag}>`), `</${tag}>`);
      return tag === 'true';
    }
    if (selfClosing) return tag === 'dict' ? {} : tag === 'array' ? [] : '';
    if (tag === 'string') return unescape(take(/^([^<]*)<\/string>/, '</string>')[1]!);
    if (tag === 'integer') return Number(take(/^(-?\d+)<\/integer>/, 'an integer')[1]);
    if (tag === 'array') {
      const items: PlistValue[] = [];
      for (skip(); !rest.startsWith('</array>'); skip()) items.push(value());
      rest = rest.slice('</array>'.length);
      return items;
    }
    const dict: Record<string, PlistValue> = {};
    for (skip(); !rest.startsWith('</dict>'); skip()) {
      const key = unescape(take(/^<key>([^<]*)<\/key>/, '<key>')[1]!);
      if (key in dict) throw new Error(`duplicate key ${key}`);
      dict[key] = value();
    }
    rest = rest.slice('</dict>'.length);
    return dict;
  };
  take(/^<plist version="1\.0">/, '<plist version="1.0">');
  const root = value();
  take(/^<\/plist>/, '</plist>');
  skip();
  if (rest !== '') throw new Error(`trailing content: ${rest.slice(0, 40)}`);
  return root;
}
