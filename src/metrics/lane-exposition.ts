// The lane families written from a cycle result in slices: each slice holds the event loop a few
// milliseconds at most, so a scrape of a 10,000-lane fleet (~150,000 series) never stalls requests
// or the next cycle. Text format and OpenMetrics differ only in how families are separated.
import type { CycleResult } from '../guard/cycle.js';
import { TimeSlicer } from '../util/slice.js';
import { escapeHelp } from './exposition-text.js';
import { LANE_FAMILIES, laneRowContext, type LaneRow } from './lane-families.js';

/** The latest cycle result and the time its lane values are computed at (the cycle's own `now`). */
export interface LaneSource {
  result: CycleResult;
  now: Date;
}

/**
 * Every lane family (HELP, TYPE, then one lane's lines after another) as chunks to concatenate.
 * Families are separated by a blank line in the text format (as prom-client separates them) and by
 * nothing in OpenMetrics, where a blank line is invalid. The last chunk ends in a newline.
 */
export async function writeLaneFamilies(source: LaneSource | null, openMetrics: boolean, slicer = new TimeSlicer()): Promise<string[]> {
  const rows: LaneRow[] = [];
  if (source) {
    const row = laneRowContext(source.result, source.now);
    for (const lane of source.result.lanes) {
      rows.push(row(lane));
      await slicer.tick();
    }
  }
  const chunks: string[] = [];
  let chunk = '';
  for (const [i, family] of LANE_FAMILIES.entries()) {
    if (i > 0 && !openMetrics) chunk += '\n';
    chunk += `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} gauge\n`;
    for (const row of rows) {
      chunk += family.lines(row);
      // Hand a finished piece over before yielding, so no string grows across the whole fleet.
      if (chunk.length >= 64 * 1024) {
        chunks.push(chunk);
        chunk = '';
        await slicer.tick();
      }
    }
  }
  chunks.push(chunk);
  return chunks;
}
