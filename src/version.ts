import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from './util/package-root.js';

/** The package version, read once from package.json. */
export const VERSION: string = (() => {
  try {
    return (
      JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return '0.0.0';
  }
})();
