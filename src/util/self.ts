import path from 'node:path';
import { packageRoot } from './package-root.js';

let mainScript: string | undefined;

/**
 * This installation's entry point (dist/main.js), so a daemon restarts the laneguard that is
 * installed. Found from the package root, not next to this module: in the build this code is
 * bundled into dist/laneguard.cjs.
 */
export function laneguardMain(): string {
  return (mainScript ??= path.join(packageRoot(), 'dist', 'main.js'));
}

/** `laneguard --root ROOT …args` as an argv, with this node and this entry point. */
export function laneguardArgv(root: string, ...args: string[]): string[] {
  return [process.execPath, laneguardMain(), '--root', root, ...args];
}
