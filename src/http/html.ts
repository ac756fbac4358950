// Markup that is escaped by default. Every page fragment is a `SafeHtml`, built only by the `html`
// tag (which escapes every interpolated value that is not already `SafeHtml`) or from a compile-time
// constant. Passing a hand-concatenated string where markup is expected is a type error, so a
// forgotten escape cannot compile; an escaped string shows as text, never as markup.
import { escapeControls } from './page/format.js';

/** Wraps markup this module has vouched for; set once by the class below and never exported. */
let trusted: (markup: string) => SafeHtml;

/** A fragment of markup that is safe to put into a page. Only this module can make one. */
export class SafeHtml {
  // A private field makes the class nominal: no structurally equal object passes as SafeHtml.
  readonly #markup: string;
  private constructor(markup: string) {
    this.#markup = markup;
  }
  static {
    trusted = (markup) => new SafeHtml(markup);
  }
  toString(): string {
    return this.#markup;
  }
}

/**
 * What may be interpolated: markup, or a value shown as text. `null`, `undefined` and `false` render
 * as nothing (so `${cond && html`…`}` works); `true` and objects are type errors, as they would
 * show as `true` or `[object Object]`.
 */
export type HtmlValue =
  SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

/** Escape text for HTML element content and quoted attribute values: every shown value is input. */
function escapeHtml(value: string | number): string {
  // Controls are escaped first: their escapes hold no character that the HTML escapes touch.
  return escapeControls(String(value))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  if (typeof value === 'string' || typeof value === 'number') return escapeHtml(value);
  // Unreachable for well-typed callers; refuse rather than print `[object Object]`.
  throw new TypeError(`html: cannot interpolate a ${typeof value}`);
}

/** The tag: literal parts are trusted (they are source code), interpolated values are escaped. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return trusted(out);
}

/** Fragments joined by a separator (the separator is trusted source text, like a template part). */
export function joinHtml(parts: readonly HtmlValue[], separator: '' | ' ' | '\n' = ''): SafeHtml {
  return trusted(parts.map(render).join(separator));
}

/**
 * A compile-time constant as markup (the page's style sheet). The type only admits a string literal
 * type, so a value computed at run time — which might carry input — does not compile.
 */
export function constantHtml<T extends string>(markup: string extends T ? never : T): SafeHtml {
  return trusted(markup);
}
