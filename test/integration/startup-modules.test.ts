// Start-up loads only what the command needs: the one-shot commands never load express, the HTTP
// layer, the status page renderer or the metrics registry. The files a real `laneguard` process
// loads are recorded by module hooks preloaded with `node --import`; dist/main.js is a bundle
// (scripts/bundle.mjs), so each file it loads is read back as the source modules it holds, from the
// list the build writes to dist/chunks/inputs.json.
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
const BUNDLED = JSON.parse(readFileSync(path.join(DIST, 'chunks/inputs.json'), 'utf8')) as Record<
  string,
  string[]
>;

/**
 * The source modules behind loaded URLs: a bundle file stands for the modules it holds, any other
 * file of dist/ for its own source, a package for its path under node_modules/.
 */
function sources(urls: readonly string[]): string[] {
  return urls.flatMap((url) => {
    if (!url.startsWith('file:')) return [url];
    const file = fileURLToPath(url);
    const inDist = path.relative(DIST, file);
    if (!inDist.startsWith('..')) {
      return BUNDLED[inDist] ?? [`src/${inDist.replace(/\.js$/, '.ts')}`];
    }
    const pkg = file.lastIndexOf('/node_modules/');
    return pkg >= 0 ? [file.slice(pkg + 1)] : [file];
  });
}
const models = useModelServer();

/** Run node with the recorder preloaded; returns the exit code and every module URL it loaded. */
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
        modules = readFileSync(file, 'utf8').split('\n').filter(Boolean);
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
];

describe('start-up loads only what the command needs', () => {
  it('the recorder sees express when something does load it', async () => {
    const run = await recorded(['--input-type=module', '-e', "await import('express')"]);
    expect(sources(run.modules).some((m) => HEAVY[0]!.test(m))).toBe(true);
  });

  it.each([
    ['once', ['once', '--dry-run', '--json']],
    ['lanes', ['lanes', '--json']],
    ['probe', ['probe', '--json']],
    ['history', ['history', '--json']],
  ])('%s loads no HTTP layer, page renderer, express or metrics registry', async (_name, args) => {
    const url = models.server.baseUrl;
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: url }],
      lanes: [{ id: 'l1', urls: [url], pending: 1 }],
      guard: { dry_run: true },
    });
    const run = await recorded([MAIN, '--root', root, ...args]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const loaded = sources(run.modules);
    // The command really ran through the CLI (the recorder saw laneguard's own modules).
    expect(loaded).toContain('src/cli/program.ts');
    expect(loaded.filter((m) => HEAVY.some((re) => re.test(m)))).toEqual([]);
    // It ran from the bundle: a few files the bundler wrote, not one file per module, and zod and
    // commander inside them rather than as a hundred files from node_modules.
    const files = run.modules.filter((m) => m.startsWith('file:')).map((m) => fileURLToPath(m));
    const fromDist = files.filter((f) => !path.relative(DIST, f).startsWith('..'));
    expect(fromDist.filter((f) => !(path.relative(DIST, f) in BUNDLED))).toEqual([]);
    expect(files.filter((f) => /\/node_modules\/(zod|commander)\//.test(f))).toEqual([]);
  });
});

describe('the built bin', () => {
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
