// The second half of `npm run build`. tsc has emitted every module to dist/ (type-checked; test
// fixtures and the sandbox executables run those files); this replaces the CLI entry, dist/main.js,
// with a bundle: the entry plus a few chunks in dist/chunks/. Node then resolves, reads and compiles
// a handful of files at start-up instead of ~270 (zod alone is 95), which is most of the time a
// short command like `once` spent before doing any work.
//
// Code only `serve` needs (express, prom-client, the HTTP layer, the page renderer) stays behind the
// dynamic imports in src/cli/serve.ts and src/cli/demo.ts, so it lands in chunks that the one-shot
// commands never load (test/integration/startup-modules.test.ts checks that). express and prom-client
// are not bundled at all: they load from node_modules, as before, when serve needs them.
import { build } from 'esbuild';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const OUT = 'dist';
const CHUNKS = path.join(OUT, 'chunks');

rmSync(CHUNKS, { recursive: true, force: true });
const result = await build({
  entryPoints: { main: 'src/main.ts' },
  outdir: OUT,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.11',
  external: ['express', 'prom-client'],
  // commander is CommonJS and requires node built-ins; an ES module has no `require` of its own.
  banner: {
    js: "import { createRequire as __laneguardRequire } from 'node:module'; const require = __laneguardRequire(import.meta.url);",
  },
  // For stack traces (`--debug` turns source maps on); the sources themselves are not shipped.
  sourcemap: true,
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
});

// Which source modules each output file holds: the start-up test reads it to name what a command loaded.
const inputs = Object.fromEntries(
  Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.js'))
    .map(([file, output]) => [path.relative(OUT, file), Object.keys(output.inputs).sort()]),
);
writeFileSync(path.join(CHUNKS, 'inputs.json'), `${JSON.stringify(inputs, null, 1)}\n`);

// The package's bin: executable on its own, not only when npm happens to link it. A fresh build
// creates dist/main.js 0644, and `npx laneguard` in a checkout whose npx cache already links the
// package runs the file as it is ("Permission denied").
chmodSync(path.join(OUT, 'main.js'), 0o755);
