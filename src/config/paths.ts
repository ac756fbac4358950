import path from 'node:path';
import { ConfigError } from './errors.js';

/**
 * Resolve a configured path against the fleet root (never the working directory). A relative path
 * must stay inside the root; an absolute one is the operator's explicit choice.
 */
export function resolveUnderRoot(root: string, value: string, file: string, key: string): string {
  if (path.isAbsolute(value)) return path.normalize(value);
  const resolved = path.resolve(root, value);
  if (!isInside(root, resolved)) {
    throw new ConfigError(
      'CONFIG_PATH_ESCAPES',
      file,
      key,
      `"${value}" leaves the fleet root ${root}; use a path inside the root or an absolute path`,
    );
  }
  return resolved;
}

export function isInside(dir: string, candidate: string): boolean {
  const rel = path.relative(dir, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Join a validated id under a directory and prove the result did not escape it. */
export function childPath(dir: string, ...parts: string[]): string {
  const resolved = path.resolve(dir, ...parts);
  if (!isInside(dir, resolved) || resolved === path.resolve(dir)) {
    throw new Error(`refusing path outside ${dir}: ${parts.join('/')}`);
  }
  return resolved;
}
