import { snapshot, type ProcessSnapshot } from '../process/index.js';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Does this command line belong to the lane? With a configured pattern (`{lane}` = the escaped id)
 * the pattern decides; otherwise the lane id must appear as a whole token, so lane `a` does not
 * match an unrelated `python app.py`.
 */
export function cmdlineMatchesLane(
  argv: readonly string[],
  laneId: string,
  pattern?: string,
): boolean {
  const line = argv.join(' ');
  if (pattern) return new RegExp(pattern.replaceAll('{lane}', escapeRegExp(laneId))).test(line);
  const token = new RegExp(`(^|[^A-Za-z0-9._-])${escapeRegExp(laneId)}($|[^A-Za-z0-9._-])`);
  return token.test(line);
}

/** Running = the pid is alive and its command line is the lane's: a reused pid is not a lane. */
export function laneRunning(
  pid: number | null,
  laneId: string,
  pattern?: string,
  processes: ProcessSnapshot = snapshot(),
): boolean {
  if (pid === null) return false;
  const argv = processes.get(pid)?.argv;
  return argv !== undefined && argv.length > 0 && cmdlineMatchesLane(argv, laneId, pattern);
}
