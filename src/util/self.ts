import { fileURLToPath } from 'node:url';

/** This installation's entry point (dist/main.js), so a daemon restarts the laneguard that is installed. */
export const MAIN_SCRIPT = fileURLToPath(new URL('../main.js', import.meta.url));

/** `laneguard --root ROOT …args` as an argv, with this node and this entry point. */
export function laneguardArgv(root: string, ...args: string[]): string[] {
  return [process.execPath, MAIN_SCRIPT, '--root', root, ...args];
}
