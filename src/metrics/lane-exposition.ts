// The lane families written from a cycle result in slices: each slice holds the event loop a few
// milliseconds at most, so a scrape of a 10,000-lane fleet (~150,000 series) never stalls requests
// or the next cycle. Text format and OpenMetrics differ only in how families are separated.
import type { CycleResult } from '../guard/cycle.js';
import { TimeSlicer } from '../util/slice.js';
import { escapeHelp } from './exposition-text.js';
import { LANE_FAMILIES, laneRowContext, type LaneRow } from './lane-families.js';

/** Lines per chunk: about 16 kB, a fraction of a millisecond to write (measured at 10,000 lanes). */
const LINES_PER_CHUNK = 256;

/** The latest cycle result and the time its lane values are computed at (the cycle's own `now`). */
export interface LaneSource {
  result: CycleResult;
  now: Date;
}

/**
 * Every lane family (HELP, TYPE, then one lane's lines after another), handed to `write` chunk by
 * chunk as it is produced, so a scrape's text need not be held whole. Families are separated by a
 * blank line in the text format (as prom-client separates them) and by nothing in OpenMetrics,
 * where a blank line is invalid. The last chunk ends in a newline.
 */
export async function writeLaneFamilies(
  source: LaneSource | null,
  openMetrics: boolean,
  write: (chunk: string) => void,
  // It answers a scrape: it yields to I/O, never to a cycle (util/slice.ts).
  slicer = new TimeSlicer({ foreground: true }),
): Promise<void> {
  const rows: LaneRow[] = [];
  if (source) {
    const row = laneRowContext(source.result, source.now);
    for (const lane of source.result.lanes) {
      rows.push(row(lane));
      await slicer.tick();
    }
  }
  // Lines are gathered in small arrays joined into flat chunks and written at once: a string grown
  // with += (or all chunks kept until the end) keeps hundreds of thousands of pieces alive, and
  // copying them in young-generation GC held the loop for tens of milliseconds at 10,000 lanes.
  let parts: string[] = [];
  const flush = (): void => {
    write(parts.join(''));
    parts = [];
  };
  for (const [i, family] of LANE_FAMILIES.entries()) {
    if (i > 0 && !openMetrics) parts.push('\n');
    parts.push(`# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} gauge\n`);
    for (const row of rows) {
      parts.push(family.lines(row));
      if (parts.length >= LINES_PER_CHUNK) {
        flush();
        await slicer.tick();
      }
    }
  }
  flush();
}
