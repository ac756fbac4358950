// Start-up loads only what the command needs: the one-shot commands never load express, the HTTP
// layer, the status page renderer or the metrics registry. The modules a real `laneguard` process
// loads are recorded by module hooks preloaded with `node --import`.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { MAIN } from '../helpers/cli.js';
import { useModelServer } from '../helpers/model-server.js';
import { tempDir } from '../helpers/tmp.js';

const RECORDER = path.resolve('test/fixtures/record-modules.mjs');
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
  /\/node_modules\/express\//,
  /\/node_modules\/prom-client\//,
  /\/dist\/http\/(?!auth\.js$)/,
  /\/dist\/metrics\//,
  /\/dist\/serve\/(serve|service)\.js$/,
];

describe('start-up loads only what the command needs', () => {
  it('the recorder sees express when something does load it', async () => {
    const run = await recorded(['--input-type=module', '-e', "await import('express')"]);
    expect(run.modules.some((m) => HEAVY[0]!.test(m))).toBe(true);
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
    // The command really ran through the CLI (the recorder saw laneguard's own modules).
    expect(run.modules.some((m) => m.endsWith('/dist/cli/program.js'))).toBe(true);
    expect(run.modules.filter((m) => HEAVY.some((re) => re.test(m)))).toEqual([]);
  });
});
