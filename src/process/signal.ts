// The only place laneguard sends signals. Everything else asks src/process to do it after a check.

/** Signal without throwing: a process that already exited is not an error. Negative pid = group. */
export function trySignal(pid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pid) || pid === 0) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Does any process (zombies included) hold this pid? Signal 0 checks without signalling; EPERM
 * means it exists but belongs to another user. Cheap, so waits poll this before a full look.
 */
export function pidExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
