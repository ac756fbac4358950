/**
 * A hard deadline for one outbound call. `AbortSignal.timeout()` is not enough: its timer is held
 * only weakly, so once `fetch` has handed back the headers nothing references the signal, the
 * garbage collector may take it, and a body that drips forever is then read forever. This timer is
 * an ordinary one, referenced by the event loop until `clear()`, and `expired` lets a caller race
 * any await (a body read) against it.
 */
export interface Deadline {
  signal: AbortSignal;
  /** Rejects with a `TimeoutError` when the time is up; never resolves. */
  expired: Promise<never>;
  clear(): void;
}

export function startDeadline(ms: number): Deadline {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DOMException(`timed out after ${ms} ms`, 'TimeoutError');
      controller.abort(error);
      reject(error);
    }, ms);
  });
  // Nobody may be racing against it when it fires: that is not an unhandled rejection.
  expired.catch(() => undefined);
  return { signal: controller.signal, expired, clear: () => clearTimeout(timer) };
}

/** `promise`, or the deadline's rejection if that comes first. */
export function within<T>(deadline: Deadline, promise: Promise<T>): Promise<T> {
  return Promise.race([promise, deadline.expired]);
}
