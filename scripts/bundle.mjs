// The second half of `npm run build`. tsc has emitted every module to dist/ (type-checked; test
// fixtures and the sandbox executables run those files, and dist/main.js is the CLI entry); this
// makes the CLI one CommonJS bundle, dist/laneguard.cjs, and a V8 code cache for it, which
// dist/main.js loads (src/main.ts). Node then reads two files at start-up instead of ~270 (zod alone
// is 95), and compiles nothing it compiled here: parsing and compiling the CLI was a quarter of
// what a short command like `once` spent.
//
// Code only `serve` and `demo` need (express, prom-client, the HTTP layer, the page renderer) is in
// the bundle behind the dynamic imports in src/cli/serve.ts and src/cli/demo.ts: it runs only when
// they do. dist/startup-modules.json lists the modules every command runs at start-up (the entry's
// static imports, followed), and test/integration/startup-modules.test.ts checks it. express and
// prom-client are not bundled: they load from node_modules, as before, when serve needs them.
import { build } from 'esbuild';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Script } from 'node:vm';
import { BUNDLE_FILE, CODE_CACHE_FILE, wrapBundle } from '../dist/bundle-wrap.js';
import { buildSandboxRoot } from '../dist/sandbox/root.js';

const OUT = 'dist';
const BUNDLE = path.resolve(OUT, BUNDLE_FILE);
const ENTRY = 'src/cli/program.ts';

rmSync(path.join(OUT, 'chunks'), { recursive: true, force: true });
const result = await build({
  entryPoints: [ENTRY],
  outfile: BUNDLE,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.11',
  external: ['express', 'prom-client'],
  // import() of a node built-in (node:https, only for an https endpoint) becomes a require: a script
  // run through node:vm has no loader for a real dynamic import.
  supported: { 'dynamic-import': false },
  // The one use of import.meta (util/package-root.ts) gets the bundle's own URL.
  define: { 'import.meta.url': '__laneguardUrl' },
  banner: { js: "const __laneguardUrl = require('node:url').pathToFileURL(__filename).href;" },
  // For stack traces (`--debug` turns source maps on); the sources themselves are not shipped.
  sourcemap: true,
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
});

// The modules every command runs at start-up: the entry and its static imports, followed. A module
// reached only through a dynamic import runs when that import does.
const inputs = result.metafile.inputs;
const eager = new Set();
const queue = [ENTRY];
while (queue.length > 0) {
  const file = queue.pop();
  if (eager.has(file) || !inputs[file]) continue;
  eager.add(file);
  for (const i of inputs[file].imports)
    if (i.kind !== 'dynamic-import' && !i.external) queue.push(i.path);
}
writeFileSync(
  path.join(OUT, 'startup-modules.json'),
  `${JSON.stringify([...eager].sort(), null, 1)}\n`,
);

// The code cache: the bundle compiled as dist/main.js compiles it, run through a few commands on a
// throwaway sandbox fleet, then serialized with every function those commands compiled.
const source = readFileSync(BUNDLE, 'utf8');
const script = new Script(wrapBundle(source), { filename: BUNDLE });
const module = { exports: {} };
script.runInThisContext()(
  module.exports,
  createRequire(BUNDLE),
  module,
  BUNDLE,
  path.dirname(BUNDLE),
);
const root = mkdtempSync(path.join(tmpdir(), 'laneguard-build-'));
try {
  // Enough lanes, in enough states, that the cycle takes the paths a real fleet does (slices that
  // hand the event loop back, pauses, queues, work counts).
  const url = 'http://127.0.0.1:9/v1';
  buildSandboxRoot(root, {
    endpoints: [{ id: 'lm', base_url: url }],
    lanes: Array.from({ length: 400 }, (_, i) => ({
      id: `lane-${i}`,
      urls: [url],
      pending: i % 4,
      states: { in_progress: i % 2, done: i % 3 },
      queued: i % 5 === 0 ? 2 : 0,
      ...(i % 7 === 0 ? { pause: { text: 'paused by hand', ageSec: 7200 } } : {}),
    })),
    guard: { dry_run: true },
  });
  const quiet = { out: () => undefined, err: () => undefined, exitCode: 0 };
  for (const args of [
    ['once', '--dry-run', '--json'],
    ['lanes', '--json'],
    ['history', '--json'],
  ])
    await module.exports.runCli(['node', 'laneguard', '--root', root, ...args], quiet);
} finally {
  rmSync(root, { recursive: true, force: true });
}
writeFileSync(path.join(OUT, CODE_CACHE_FILE), script.createCachedData());

// The package's bin: executable on its own, not only when npm happens to link it. A fresh build
// creates dist/main.js 0644, and `npx laneguard` in a checkout whose npx cache already links the
// package runs the file as it is ("Permission denied").
chmodSync(path.join(OUT, 'main.js'), 0o755);
