// The lane families written from a cycle result in slices: each slice holds the event loop a few
// milliseconds at most, so a scrape of a 10,000-lane fleet (~150,000 series) never stalls requests
// or the next cycle. Text format and OpenMetrics differ only in how families are separated.
import type { CycleResult } from '../guard/cycle.js';
import { TimeSlicer } from '../util/slice.js';
import { ByteChunks, maxUtf8 } from './byte-chunks.js';
import { escapeHelp } from './exposition-text.js';
import { LANE_FAMILIES, laneRowContext, type LaneRow } from './lane-families.js';

/** Lanes written between two looks at the clock (a look costs about as much as a short line). */
const LANES_PER_CHECK = 32;

/** The latest cycle result and the time its lane values are computed at (the cycle's own `now`). */
export interface LaneSource {
  result: CycleResult;
  now: Date;
}

/**
 * Every lane family (HELP, TYPE, then one lane's lines after another), handed to `write` chunk by
 * chunk as it is produced, so a scrape's text need not be held whole; each chunk is whole lines of
 * UTF-8 (byte-chunks.ts). Families are separated by a blank line in the text format (as
 * prom-client separates them) and by nothing in OpenMetrics, where a blank line is invalid. The
 * last chunk ends in a newline.
 */
export async function writeLaneFamilies(
  source: LaneSource | null,
  openMetrics: boolean,
  write: (chunk: Buffer) => void,
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
  const out = new ByteChunks(write);
  for (const [i, family] of LANE_FAMILIES.entries()) {
    const head = `${i > 0 && !openMetrics ? '\n' : ''}# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} gauge\n`;
    out.room(maxUtf8(head));
    out.text(head);
    for (let r = 0; r < rows.length; r++) {
      family.write(rows[r]!, out);
      if (r % LANES_PER_CHECK === LANES_PER_CHECK - 1 && slicer.due) {
        // What is written so far goes out before the loop is handed back.
        out.flush();
        await slicer.tick();
      }
    }
  }
  out.flush();
}
