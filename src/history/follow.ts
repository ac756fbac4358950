import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { parseEventLine } from './read.js';
import type { HistoryEvent } from './store.js';

/** Tail a history file by polling: new complete lines become events. Survives rotation. */
export function followHistory(
  file: string,
  onEvent: (event: HistoryEvent) => void,
  intervalMs = 300,
): () => void {
  let offset = 0;
  let partial = '';
  const poll = (): void => {
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return;
    }
    if (size < offset) {
      offset = 0;
      partial = '';
    }
    if (size === offset) return;
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return; // rotated away between the stat and the open: the next poll reads the new file
    }
    try {
      const buf = Buffer.alloc(size - offset);
      readSync(fd, buf, 0, buf.length, offset);
      offset = size;
      const lines = (partial + buf.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        // A torn or foreign line is skipped, as `history` skips it (the writer repairs torn ones).
        const event = parseEventLine(line);
        if (event) onEvent(event);
      }
    } finally {
      closeSync(fd);
    }
  };
  const timer = setInterval(poll, intervalMs);
  poll();
  return () => {
    clearInterval(timer);
    poll();
  };
}
