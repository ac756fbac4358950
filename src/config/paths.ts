import { statSync } from 'node:fs';
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

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** A root that does not exist, or holds no config/, is named with its absolute path and which it is. */
export function assertFleetRoot(root: string): void {
  if (!isDirectory(root)) {
    throw new ConfigError(
      'CONFIG_NOT_FOUND',
      root,
      null,
      'the fleet root does not exist; pass --root DIR (or set LANEGUARD_ROOT) to the directory that holds config/',
    );
  }
  if (!isDirectory(path.join(root, 'config'))) {
    throw new ConfigError(
      'CONFIG_NOT_FOUND',
      root,
      null,
      'the fleet root has no config/ directory; pass --root DIR (or set LANEGUARD_ROOT) to the directory that holds config/local_model_fleet.json',
    );
  }
}
