// The newest history events for the status page, read from the tail of the files by the one history
// reader: a page load costs at most `maxBytes` of reading however large the history has grown.
import { queryHistory } from '../../history/read.js';
import type { HistoryEvent } from '../../history/store.js';

export interface RecentHistory {
  /** Oldest first. */
  events: HistoryEvent[];
  /** Why the history could not be read (shown on the page), or null. */
  error: string | null;
}

/**
 * Newest lines first until the byte budget is spent (rotated files only when the current one is
 * short); a line the budget cuts is not read, one that ends right at the budget is kept.
 */
export async function readRecentHistory(
  file: string,
  keepFiles: number,
  maxBytes = 512 * 1024,
): Promise<RecentHistory> {
  try {
    const { events } = await queryHistory(file, keepFiles, { maxBytes });
    return { events, error: null };
  } catch (err) {
    return { events: [], error: `history unreadable: ${(err as Error).message}` };
  }
}
