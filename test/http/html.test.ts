import { describe, expect, it } from 'vitest';
import { constantHtml, html, joinHtml, SafeHtml, type HtmlValue } from '../../src/http/html.js';

describe('html tagged template', () => {
  it('escapes every interpolated string and number, in content and in quoted attributes', () => {
    const hostile = `<script>alert("x")</script>&'`;
    expect(String(html`<td title="${hostile}">${hostile}</td>`)).toBe(
      '<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</td>',
    );
    expect(String(html`<b>${42}</b>`)).toBe('<b>42</b>');
  });

  it('nests fragments without escaping them twice', () => {
    const inner = html`<i>${'a&b'}</i>`;
    expect(String(html`<p>${inner}</p>`)).toBe('<p><i>a&amp;b</i></p>');
  });

  it('renders arrays in order and null, undefined and false as nothing', () => {
    const items = ['<1>', '2'].map((x) => html`<li>${x}</li>`);
    expect(String(html`<ul>${items}</ul>`)).toBe('<ul><li>&lt;1&gt;</li><li>2</li></ul>');
    const empty: HtmlValue[] = [null, undefined, false];
    expect(String(html`[${empty[0]}${empty[1]}${empty[2]}]`)).toBe('[]');
    const noMessage: string = '';
    expect(String(html`${noMessage && html`<x>`}`)).toBe('');
  });

  it('joins fragments with a trusted separator, escaping strings', () => {
    expect(String(joinHtml([html`<a>`, '<b>', 3], '\n'))).toBe('<a>\n&lt;b&gt;\n3');
  });

  it('refuses a value it cannot show instead of printing [object Object]', () => {
    const sneaky = { toString: () => '<script>' } as unknown as HtmlValue;
    expect(() => html`${sneaky}`).toThrow(/cannot interpolate a object/);
  });

  it('only this module can make SafeHtml: a look-alike object is not markup', () => {
    const lookAlike = { toString: () => '<script>' };
    expect(lookAlike instanceof SafeHtml).toBe(false);
    expect(html`<p>x</p>`).toBeInstanceOf(SafeHtml);
  });

  it('a forgotten escape does not compile (checked by `npm run typecheck`)', () => {
    // Never called: these lines exist for the type checker, each must be an error.
    const mistakes = (userText: string): unknown[] => [
      // @ts-expect-error a hand-built string is not markup
      ((): SafeHtml => `<td>${userText}</td>`)(),
      // @ts-expect-error a run-time string is not a compile-time constant
      constantHtml(userText),
      // @ts-expect-error SafeHtml cannot be constructed outside its module
      new SafeHtml('<b>'),
      // @ts-expect-error `true` would render as the word "true"
      html`${true}`,
      // @ts-expect-error objects would render as [object Object]
      html`${{ a: 1 }}`,
    ];
    expect(typeof mistakes).toBe('function');
    expect(String(constantHtml('a>b'))).toBe('a>b');
  });
});
