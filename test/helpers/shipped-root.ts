// A fleet root built from copies of the replaced system's four shipped config files, made runnable
// here: endpoints point at loopback servers, lane commands at small real scripts, the watchdog's
// `cwd` at an existing directory, and a fake `make` that logs its calls comes first on PATH.
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './tmp.js';

export const SHIPPED = path.resolve('test/fixtures/orxaq-fleet/config');

export interface ShippedRoot {
  root: string;
  /** A directory holding the fake `make`; put it first on PATH. */
  bin: string;
  /** Every call of the fake make, one line of arguments each. */
  makeCalls: () => string[];
  env: NodeJS.ProcessEnv;
}

function rewrite(file: string, edit: (json: Record<string, unknown>) => void): void {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(json);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
}

/** Only the copies: nothing rewritten. */
export function copyShipped(): string {
  const root = tempDir('laneguard-shipped-');
  cpSync(SHIPPED, path.join(root, 'config'), { recursive: true });
  return root;
}

export function shippedRoot(
  endpointUrls: string[],
  options: { listen?: string } = {},
): ShippedRoot {
  const root = copyShipped();
  const config = (name: string): string => path.join(root, 'config', name);
  rewrite(config('local_model_fleet.json'), (fleet) => {
    (fleet.endpoints as Array<Record<string, unknown>>).forEach(
      (e, i) => (e.base_url = endpointUrls[i % endpointUrls.length]),
    );
  });
  rewrite(config('lanes.json'), (lanes) => {
    for (const lane of lanes.lanes as Array<{ env?: Record<string, string> }>) {
      if (lane.env?.ORXAQ_LOCAL_OPENAI_BASE_URLS)
        lane.env.ORXAQ_LOCAL_OPENAI_BASE_URLS = endpointUrls[0]!;
    }
  });
  const scripts = path.join(root, 'scripts');
  mkdirSync(scripts, { recursive: true });
  writeFileSync(
    path.join(scripts, 'lane-cmd.js'),
    "require('node:fs').appendFileSync(process.argv[2], process.argv.slice(3).join(' ') + '\\n');\n",
  );
  rewrite(config('local_model_idle_guard.json'), (guard) => {
    if (options.listen) guard.server = { listen: options.listen };
    guard.lanes = {
      start_command: [
        process.execPath,
        'scripts/lane-cmd.js',
        `${root}/lane-commands.log`,
        'lane-start',
        '{lane}',
      ],
      ensure_command: [
        process.execPath,
        'scripts/lane-cmd.js',
        `${root}/lane-commands.log`,
        'lanes-ensure',
      ],
    };
  });
  rewrite(config('local_model_process_watchdog.json'), (watchdog) => {
    for (const p of watchdog.processes as Array<Record<string, unknown>>) p.cwd = root;
  });
  const bin = path.join(root, 'fake-bin');
  mkdirSync(bin);
  const makeLog = path.join(root, 'make-calls.log');
  writeFileSync(path.join(bin, 'make'), `#!/bin/sh\necho "$*" >> '${makeLog}'\nexit 0\n`);
  chmodSync(path.join(bin, 'make'), 0o755);
  const makeCalls = (): string[] => {
    try {
      return readFileSync(makeLog, 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };
  return {
    root,
    bin,
    makeCalls,
    env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
  };
}
