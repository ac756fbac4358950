import { existsSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../util/package-root.js';

/**
 * A sandbox executable compiled to `dist/sandbox/` (lane workers and the fleet control command run as
 * real child processes, so they run from the build, also when tests import the TypeScript source).
 */
export function sandboxScript(name: 'lane-worker' | 'fleetctl'): string {
  const file = path.join(packageRoot(), 'dist', 'sandbox', `${name}.js`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  return file;
}

export const LANES_FILE = 'config/lanes.json';
export const RUNTIME_DIR = 'artifacts/autonomy/lanes';
export const ENSURE_LOG = 'artifacts/autonomy/lanes/ensure.log';
