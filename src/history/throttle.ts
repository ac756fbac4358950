// Noise limiting for high-volume history events (webhook rejections, alerts that change nothing).
// Pure: the caller passes the time. A flood is still counted in full by the metrics; the history
// gets a bounded number of lines per key and window, so it can never rotate decisions out.

export interface ThrottleVerdict {
  /** Write this event. */
  record: boolean;
  /** Events of this key left out since the last one written (reported on the one written). */
  suppressed: number;
}

interface Window {
  startMs: number;
  recorded: number;
  suppressed: number;
}

export class EventThrottle {
  private readonly windows = new Map<string, Window>();

  /**
   * @param windowMs length of a window
   * @param limit events written per key and window; the rest are counted
   * @param maxKeys keys remembered at most (the oldest window is forgotten first), so hostile keys
   *   cannot grow memory
   */
  constructor(
    private readonly windowMs: number,
    private readonly limit: number,
    private readonly maxKeys = 1000,
  ) {}

  admit(key: string, nowMs: number): ThrottleVerdict {
    const current = this.windows.get(key);
    if (
      current === undefined ||
      nowMs - current.startMs >= this.windowMs ||
      nowMs < current.startMs
    ) {
      // A new window: carry the previous window's suppressed count onto the first event written.
      const carried = current?.suppressed ?? 0;
      this.windows.delete(key);
      if (this.windows.size >= this.maxKeys)
        this.windows.delete(this.windows.keys().next().value as string);
      this.windows.set(key, { startMs: nowMs, recorded: 1, suppressed: 0 });
      return { record: true, suppressed: carried };
    }
    if (current.recorded < this.limit) {
      current.recorded++;
      const suppressed = current.suppressed;
      current.suppressed = 0;
      return { record: true, suppressed };
    }
    current.suppressed++;
    return { record: false, suppressed: current.suppressed };
  }
}
