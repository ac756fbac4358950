// How dist/main.js runs the CLI bundle (dist/laneguard.cjs): as a CommonJS module body in this
// wrapper, compiled with the V8 code cache the build made from the same wrapped text. The build
// (scripts/bundle.mjs) and the loader (main.ts) both take the text from here: V8 accepts a cache
// only for the exact source it was made from.
export const BUNDLE_FILE = 'laneguard.cjs';
export const CODE_CACHE_FILE = 'laneguard.cjs.cache';

export function wrapBundle(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}
