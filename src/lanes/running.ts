import { readFileSync } from 'node:fs';
import { pidAlive, processArgv } from '../util/proc.js';
import { parsePid } from './lane-parsers.js';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Does this command line belong to the lane? With a configured pattern (`{lane}` = the escaped id)
 * the pattern decides; otherwise the lane id must appear as a whole token, so lane `a` does not
 * match an unrelated `python app.py`.
 */
export function cmdlineMatchesLane(argv: readonly string[], laneId: string, pattern?: string): boolean {
  const line = argv.join(' ');
  if (pattern) return new RegExp(pattern.replaceAll('{lane}', escapeRegExp(laneId))).test(line);
  const token = new RegExp(`(^|[^A-Za-z0-9._-])${escapeRegExp(laneId)}($|[^A-Za-z0-9._-])`);
  return token.test(line);
}

export function readPidFile(file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
  return parsePid(text);
}

/** Running = the pid is alive and its command line is the lane's: a reused pid is not a lane. */
export function laneRunning(pid: number | null, laneId: string, pattern?: string): boolean {
  if (pid === null || !pidAlive(pid)) return false;
  const argv = processArgv(pid);
  return argv !== null && cmdlineMatchesLane(argv, laneId, pattern);
}
