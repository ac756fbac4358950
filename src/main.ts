#!/usr/bin/env node
// The CLI entry. The build makes the CLI one CommonJS bundle, dist/laneguard.cjs, and a V8 code
// cache for it (scripts/bundle.mjs): compiled from the cache, the ~0.9 MB of code a command needs
// starts without being parsed and compiled again, which was a quarter of a short command's time.
// Code only `serve` and `demo` need (the HTTP layer, express, prom-client) is in the bundle behind
// lazy imports and never runs for the other commands. Without the bundle (tsc's output alone), the
// CLI module is imported as it is.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { BUNDLE_FILE, CODE_CACHE_FILE, wrapBundle } from './bundle-wrap.js';

type RunCli = (argv: string[]) => Promise<number>;

// Source maps are read only for code loaded after they are turned on, and reading them costs
// start-up time: so only --debug (which prints stack traces) turns them on, before the CLI loads.
const debug = process.argv.includes('--debug');
if (debug) process.setSourceMapsEnabled(true);

function loadBundle(file: string): RunCli {
  const require = createRequire(file);
  // --debug loads it through require, which reads its source map for the stack traces.
  if (debug) return (require(file) as { runCli: RunCli }).runCli;
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(path.join(path.dirname(file), CODE_CACHE_FILE));
  } catch {
    // No cache: compiled as any module is.
  }
  // A cache V8 does not accept (another node version) is ignored, and the code compiled as usual.
  const script = new Script(wrapBundle(readFileSync(file, 'utf8')), { filename: file, cachedData });
  const module = { exports: {} as { runCli: RunCli } };
  const body = script.runInThisContext() as (...args: unknown[]) => void;
  body(module.exports, require, module, file, path.dirname(file));
  return module.exports.runCli;
}

const bundle = path.join(path.dirname(fileURLToPath(import.meta.url)), BUNDLE_FILE);
const runCli = existsSync(bundle) ? loadBundle(bundle) : (await import('./cli/program.js')).runCli;
const code = await runCli(process.argv);
// The command is done: exit now, not when the event loop has drained. Node would first finish a
// garbage collection V8 started during the command and tear its helper threads down, which was
// 20 ms of `once` at 1,000 lanes. What the command wrote is flushed first (a pipe is asynchronous
// on macOS); a command that runs until stopped (serve, watchdog run) resolves only when stopped.
const flushed = (stream: NodeJS.WriteStream): Promise<void> =>
  new Promise((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
