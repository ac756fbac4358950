import { describe, expect, it } from 'vitest';
import { parseYaml } from './mini-yaml.js';

describe('parseYaml (provisioning subset)', () => {
  it('reads nested mappings, sequences of mappings, scalars and comments', () => {
    const text = [
      '# comment',
      'apiVersion: 1',
      'providers:',
      '  - name: laneguard  # trailing comment',
      '    enabled: true',
      '    port: 9090',
      '    quoted: "a # b"',
      '    options:',
      '      path: /var/lib/x',
      '  - name: second',
      'list:',
      '- one',
      "- 'two'",
      'empty:',
    ].join('\n');
    expect(parseYaml(text)).toEqual({
      apiVersion: 1,
      providers: [
        {
          name: 'laneguard',
          enabled: true,
          port: 9090,
          quoted: 'a # b',
          options: { path: '/var/lib/x' },
        },
        { name: 'second' },
      ],
      list: ['one', 'two'],
      empty: null,
    });
  });

  it('keeps a URL value whole', () => {
    expect(parseYaml('url: http://127.0.0.1:9090')).toEqual({ url: 'http://127.0.0.1:9090' });
  });

  it('throws on what it does not understand instead of misreading it', () => {
    expect(() => parseYaml('a: [1, 2]')).toThrow(/unsupported/);
    expect(() => parseYaml('a: |\n  text')).toThrow(/unsupported/);
    expect(() => parseYaml('a: 1\na: 2')).toThrow(/duplicate/);
    expect(() => parseYaml('a: 1\n    b: 2')).toThrow(/indentation/);
    expect(() => parseYaml('just text')).toThrow(/key: value/);
    expect(() => parseYaml('a:\n\tb: 1')).toThrow(/tab/);
  });
});
