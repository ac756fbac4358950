// Lane directories for the file cache's tests.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A lane-like directory `root/name` holding `present`, everything a minute old (nothing hot). */
export function quietLaneDir(root: string, name: string, present: Record<string, string>): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  const old = Math.floor(Date.now() / 1000) - 60;
  for (const [file, text] of Object.entries(present)) {
    writeFileSync(path.join(dir, file), text);
    utimesSync(path.join(dir, file), old, old);
  }
  utimesSync(dir, old, old);
  return dir;
}
