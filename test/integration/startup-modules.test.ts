// Start-up loads only what the command needs: the one-shot commands never load express, the HTTP
// layer, the status page renderer or the metrics registry. dist/main.js runs the CLI from one
// bundle, dist/laneguard.cjs (scripts/bundle.mjs), where code only serve and demo need sits behind
// lazy imports: the build lists the modules every command runs at start-up
// (dist/startup-modules.json), and a real `laneguard` process, with module hooks preloaded
// (`node --import`), shows what else it loaded (ES modules as they load, CommonJS ones from the
// require cache at exit).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { MAIN } from '../helpers/cli.js';
import { useModelServer } from '../helpers/model-server.js';
import { tempDir } from '../helpers/tmp.js';

const RECORDER = path.resolve('test/fixtures/record-modules.mjs');
const DIST = path.resolve('dist');
const STARTUP = JSON.parse(
  readFileSync(path.join(DIST, 'startup-modules.json'), 'utf8'),
) as string[];

/** A loaded URL as a path under node_modules/ or dist/, or as it is. */
function named(url: string): string {
  if (!url.startsWith('file:')) return url;
  const file = fileURLToPath(url);
  const pkg = file.lastIndexOf('/node_modules/');
  if (pkg >= 0) return file.slice(pkg + 1);
  const inDist = path.relative(DIST, file);
  return inDist.startsWith('..') ? file : `dist/${inDist}`;
}
const models = useModelServer();

/** Run node with the recorder preloaded; returns the exit code and every module it loaded. */
function recorded(
  args: string[],
): Promise<{ code: number | null; modules: string[]; stderr: string }> {
  const file = path.join(tempDir(), 'modules.txt');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', RECORDER, ...args], {
      env: { ...process.env, LANEGUARD_TEST_MODULES_FILE: file },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => {
      let modules: string[] = [];
      try {
        modules = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(named);
      } catch {
        // Nothing loaded through the hooks: the assertions below say so.
      }
      resolve({ code, modules, stderr });
    });
  });
}

// The HTTP layer is the app, its routes and the page renderer; http/auth.js (credentials and listen
// parsing, no express) is shared with `config check` and may load.
const HEAVY = [
  /^node_modules\/express\//,
  /^node_modules\/prom-client\//,
  /^src\/http\/(?!auth\.ts$)/,
  /^src\/metrics\//,
  /^src\/serve\/(serve|service)\.ts$/,
  /^src\/receiver\/(route|body|receiver|payload-memo)\.ts$/,
];

describe('start-up loads only what the command needs', () => {
  it('the recorder sees express when something loads it, by import or by require', async () => {
    for (const code of [
      "await import('express')",
      "import { createRequire } from 'node:module'; createRequire(import.meta.url)('express')",
    ]) {
      const run = await recorded(['--input-type=module', '-e', code]);
      expect(
        run.modules.some((m) => HEAVY[0]!.test(m)),
        code,
      ).toBe(true);
    }
  });

  it('what every command runs at start-up holds the CLI, and none of the HTTP layer, metrics or serve', () => {
    expect(STARTUP).toContain('src/cli/program.ts');
    expect(STARTUP).toContain('src/guard/cycle.ts');
    expect(STARTUP.filter((m) => HEAVY.some((re) => re.test(m)))).toEqual([]);
    // The bundle holds them, behind serve's lazy import.
    const bundle = readFileSync(path.join(DIST, 'laneguard.cjs'), 'utf8');
    expect(bundle).toContain('// src/http/app.ts');
    expect(bundle).toContain('// src/serve/serve.ts');
  });

  it.each([
    ['once', ['once', '--dry-run', '--json']],
    ['lanes', ['lanes', '--json']],
    ['probe', ['probe', '--json']],
    ['history', ['history', '--json']],
  ])('%s loads no express or prom-client, and runs from the bundle', async (_name, args) => {
    const url = models.server.baseUrl;
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: url }],
      lanes: [{ id: 'l1', urls: [url], pending: 1 }],
      guard: { dry_run: true },
    });
    const run = await recorded([MAIN, '--root', root, ...args]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.modules.filter((m) => HEAVY.some((re) => re.test(m)))).toEqual([]);
    // From the bundle: of dist/, only the entry and its wrapper loaded as modules (not tsc's file
    // per module), and zod and commander are inside the bundle, not a hundred files of node_modules.
    expect(run.modules.filter((m) => m.startsWith('dist/')).sort()).toEqual([
      'dist/bundle-wrap.js',
      'dist/main.js',
    ]);
    expect(run.modules.filter((m) => /^node_modules\/(zod|commander)\//.test(m))).toEqual([]);
  });
});

describe('the built bin', () => {
  it('compiles the bundle from the code cache the build made (V8 accepts it)', () => {
    const check = [
      "import { readFileSync } from 'node:fs';",
      "import { Script } from 'node:vm';",
      `import { wrapBundle } from ${JSON.stringify(path.join(DIST, 'bundle-wrap.js'))};`,
      `const file = ${JSON.stringify(path.join(DIST, 'laneguard.cjs'))};`,
      "const script = new Script(wrapBundle(readFileSync(file, 'utf8')), { filename: file, cachedData: readFileSync(file + '.cache') });",
      'console.log(script.cachedDataRejected);',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', check], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('false');
  });

  // npm chmods a bin only when it links the package; `npx laneguard` in a checkout whose npx cache
  // already links it runs dist/main.js as the build left it.
  it('dist/main.js is executable and runs through its #! line', () => {
    const main = path.join(DIST, 'main.js');
    expect((statSync(main).mode & 0o111).toString(8)).toBe('111');
    const r = spawnSync(main, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.error).toBeUndefined();
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.status).toBe(0);
  });
});
