// The lane families written from a cycle result in slices: each slice holds the event loop a few
// milliseconds at most, so a scrape of a 10,000-lane fleet (~150,000 series) never stalls requests
// or the next cycle. Text format and OpenMetrics differ only in how families are separated.
import type { CycleResult } from '../guard/cycle.js';
import { runSliced, TimeSlicer } from '../util/slice.js';
import { ByteChunks, utf8 } from './byte-chunks.js';
import { escapeHelp } from './exposition-text.js';
import { LANE_FAMILIES, laneRowsSteps, type LaneFamily, type LaneRow } from './lane-families.js';

/** Lanes written between two looks at the clock (a look costs about as much as a short line). */
const LANES_PER_CHECK = 32;

/** The latest cycle result and the time its lane values are computed at (the cycle's own `now`). */
export interface LaneSource {
  result: CycleResult;
  now: Date;
}

/** A family's sample lines as a scrape wrote them: for each lane its label and key, and the bytes. */
interface Written {
  labels: Uint8Array[];
  keys: unknown[];
  chunks: Buffer[];
}

/**
 * The lines each family had at the last scrape that wrote them. Most lane values (running, paused,
 * work counts…) are the same scrape after scrape, and a family whose lanes and keys are all the
 * same is sent as the chunks it was last time, not written again. Held: about the size of the lane
 * families' text (0.9 MB at 1,000 lanes), outside the JavaScript heap.
 */
const lastWritten: (Written | undefined)[] = [];

/**
 * The rows of the latest source: built once per cycle result, in slices, however many scrapes
 * read them (a source is replaced, never changed in place, when a cycle ends).
 */
let lastRows: { source: LaneSource; rows: LaneRow[] } | null = null;

async function rowsOf(source: LaneSource | null, slicer: TimeSlicer): Promise<LaneRow[]> {
  if (source === null) return [];
  if (lastRows?.source !== source) {
    const rows = await runSliced(laneRowsSteps(source.result, source.now), slicer);
    lastRows = { source, rows };
  }
  return lastRows.rows;
}

/** Whether `rows` would write exactly what `written` holds (compared in slices: 10,000 lanes a family). */
async function unchanged(
  written: Written | undefined,
  family: LaneFamily,
  rows: LaneRow[],
  slicer: TimeSlicer,
): Promise<boolean> {
  if (written === undefined || written.keys.length !== rows.length) return false;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (written.labels[r] !== row.laneLabel || !Object.is(written.keys[r], family.key(row)))
      return false;
    // `written` is never changed once kept, so another scrape replacing it meanwhile is harmless.
    if (r % LANES_PER_CHECK === LANES_PER_CHECK - 1 && slicer.due) await slicer.tick();
  }
  return true;
}

/** HELP and TYPE of a family, after the blank line that separates it from the one before. */
const heads = new Map<string, Buffer>();
function head(i: number, openMetrics: boolean): Buffer {
  const id = `${i}:${openMetrics}`;
  let bytes = heads.get(id);
  if (bytes === undefined) {
    const { name, help } = LANE_FAMILIES[i]!;
    bytes = utf8(
      `${i > 0 && !openMetrics ? '\n' : ''}# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} gauge\n`,
    );
    heads.set(id, bytes);
  }
  return bytes;
}

/**
 * Every lane family (HELP, TYPE, then one lane's lines after another), handed to `write` chunk by
 * chunk as it is produced, so a scrape's text need not be held whole; each chunk is whole lines of
 * UTF-8 (byte-chunks.ts). Families are separated by a blank line in the text format (as
 * prom-client separates them) and by nothing in OpenMetrics, where a blank line is invalid. The
 * last chunk ends in a newline. A chunk handed to `write` may be handed to later scrapes again:
 * it is never changed.
 */
export async function writeLaneFamilies(
  source: LaneSource | null,
  openMetrics: boolean,
  write: (chunk: Buffer) => void,
  // It answers a scrape: it yields to I/O, never to a cycle (util/slice.ts).
  slicer = new TimeSlicer({ foreground: true }),
): Promise<void> {
  const rows = await rowsOf(source, slicer);
  for (const [i, family] of LANE_FAMILIES.entries()) {
    write(head(i, openMetrics));
    const last = lastWritten[i];
    if (await unchanged(last, family, rows, slicer)) {
      for (const chunk of last!.chunks) write(chunk);
    } else {
      const written: Written = { labels: [], keys: [], chunks: [] };
      const out = new ByteChunks((chunk) => {
        written.chunks.push(chunk);
        write(chunk);
      });
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r]!;
        family.write(row, out);
        written.labels.push(row.laneLabel);
        written.keys.push(family.key(row));
        if (r % LANES_PER_CHECK === LANES_PER_CHECK - 1 && slicer.due) {
          // What is written so far goes out before the loop is handed back.
          out.flush();
          await slicer.tick();
        }
      }
      out.flush();
      lastWritten[i] = written;
    }
    await slicer.tick();
  }
}
