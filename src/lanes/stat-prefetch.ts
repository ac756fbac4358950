// Stats taken ahead by a helper thread, for the file cache's steady passes over large fleets.
//
// A pass over an unchanged fleet is almost only `stat` calls (about four per lane), and on Node each
// one holds the event loop for a few microseconds of system call plus a Stats object to collect. The
// file cache therefore keeps the list of paths it stat'ed in its last pass; on the next pass a helper
// thread stats that list from the end backwards while the cache works from the front, stat'ing
// inline, and the two meet in the middle: half the system calls and half the garbage leave the main
// thread, and nothing ever waits for the helper. A slot the helper has not reached (or a path that is
// not on the list) is stat'ed inline, so a slow, busy or broken helper only makes a pass slower.
//
// Every result is taken during the pass that uses it, as an inline stat would be: the cache's rules
// (identity, the hot window, absent files remembered through their directory) are unchanged.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';

/** What the cache needs of a stat: identity and mtime. */
export interface FileIdentity {
  ino: number;
  size: number;
  mtimeMs: number;
}

/** Lists shorter than this are stat'ed inline: a helper thread (about 10 MB) is not worth it. */
export const PREFETCH_MIN_PATHS = 8192;

/** What a stat found, as the helper and the stat log store it. */
export const KIND_ABSENT = 0;
export const KIND_PRESENT = 1;
export const KIND_ERROR = 2;
/** Slots per path in the values array: ino, size, mtimeMs, kind. */
const FIELDS = 4;
/**
 * The two threads meet in chunks of this many paths: a chunk is the helper's once it has started
 * it, and done when its flag holds the pass's token. Signalling per chunk, not per path, keeps the
 * atomic operations (and the cache line each one moves between cores) to a few hundred a pass.
 */
const CHUNK = 64;
/**
 * The helper thread's nice value (Linux, where a thread's priority is its own): on a busy machine it
 * takes the CPU the event loop does not need, instead of competing with it. Measured at 10,000
 * lanes on 2 busy cores: event-loop delay p99 26 ms instead of 34-40, and cycles no slower (the
 * main thread then takes more of the stats itself).
 */
const HELPER_NICE = 15;
/** ctrl[0]: the highest chunk the main thread has started on its own; the helper stops above it. */
const MAIN_AT = 0;
const STOP = 0x7fffffff;

// CommonJS, evaluated: no file to resolve, the same in the build and under the test runner.
const HELPER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { readlinkSync, statSync } = require('node:fs');
const { setPriority } = require('node:os');
const NO_THROW = { throwIfNoEntry: false };
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), ${HELPER_NICE});
} catch {
  // Not Linux: the helper runs at the process's priority.
}
let paths = [];
let incoming = [];
parentPort.on('message', (job) => {
  if (job.part !== undefined) {
    if (job.first) incoming = [];
    for (const path of job.part.split('\\0')) incoming.push(path);
    if (job.last) {
      paths = incoming;
      incoming = [];
    }
    return;
  }
  const ctrl = new Int32Array(job.ctrl);
  const done = new Int32Array(job.done);
  const values = new Float64Array(job.values);
  for (let chunk = done.length - 1; chunk >= 0; chunk--) {
    if (Atomics.load(ctrl, ${MAIN_AT}) >= chunk) break;
    const end = Math.min(paths.length, (chunk + 1) * ${CHUNK});
    for (let i = chunk * ${CHUNK}; i < end; i++) {
      const at = i * ${FIELDS};
      try {
        const s = statSync(paths[i], NO_THROW);
        if (s === undefined) values[at + 3] = ${KIND_ABSENT};
        else {
          values[at] = s.ino;
          values[at + 1] = s.size;
          values[at + 2] = s.mtimeMs;
          values[at + 3] = ${KIND_PRESENT};
        }
      } catch {
        values[at + 3] = ${KIND_ERROR};
      }
    }
    Atomics.store(done, chunk, job.token);
  }
  parentPort.postMessage(job.token);
});
`;

/** The paths of one pass, in the order the cache asked for them, with the buffers the helper fills. */
export class PathList {
  readonly ctrl = new Int32Array(new SharedArrayBuffer(4));
  readonly done: Int32Array;
  readonly values: Float64Array;
  constructor(readonly paths: readonly string[]) {
    this.done = new Int32Array(new SharedArrayBuffer(4 * Math.ceil(paths.length / CHUNK)));
    this.values = new Float64Array(new SharedArrayBuffer(8 * FIELDS * paths.length));
  }

  /**
   * The slot of `file`: `hint` (where it was last pass) when it is still there, else none (stat'ed
   * inline). The cache keeps each path's slot, so a path moves only when a lane's files changed; a
   * map from path to slot would cost ~15 ms of one macrotask to build at 10,000 lanes, on every
   * pass whose list differs from the last.
   */
  slotOf(file: string, hint: number): number | undefined {
    // (A negative index would be a slow property lookup, not an element read.)
    return hint >= 0 && this.paths[hint] === file ? hint : undefined;
  }
}

/** Paths sent to the helper in one message while a new list is handed over. */
const PATHS_PER_PART = 4096;

/**
 * The one helper thread of the process, shared by every cache (one pass at a time). It holds one
 * list: two large caches whose passes alternate would replace each other's list at every pass and
 * get no stats ahead (the daemon has one lane cache; a one-off read never reaches the helper).
 */
class Helper {
  private readonly worker: Worker;
  private busy = false;
  private broken = false;
  /** The list the helper holds, and the one being handed over (in parts, between event-loop turns). */
  private list: PathList | null = null;
  private sending: PathList | null = null;
  /** Which hand-over is current: a newer one (even of the same list) makes an older one stop. */
  private handover = 0;
  private token = 0;

  constructor() {
    this.worker = new Worker(HELPER_SOURCE, {
      eval: true,
      // A few MB of paths and short-lived Stats: a small heap is plenty.
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 },
    });
    this.worker.on('message', () => (this.busy = false));
    this.worker.on('error', () => (this.broken = true));
    this.worker.on('exit', () => (this.broken = true));
    // Never what keeps the process alive (after the listeners: adding one refs the port again).
    this.worker.unref();
  }

  /**
   * Start stat'ing `list` backwards; null when the helper is still on another pass, or broken, or
   * does not hold `list` yet. A new list is handed over in parts, one per event-loop turn, and used
   * from the next pass on: at 10,000 lanes it is ~47,000 paths, and joining and posting them at once
   * held the event loop 15-40 ms.
   */
  start(list: PathList): number | null {
    if (this.busy || this.broken) return null;
    if (this.list !== list) {
      if (this.sending !== list) void this.send(list);
      return null;
    }
    this.busy = true;
    this.token = (this.token % 0x7ffffffe) + 1;
    Atomics.store(list.ctrl, MAIN_AT, -1);
    this.worker.postMessage({
      ctrl: list.ctrl.buffer,
      done: list.done.buffer,
      values: list.values.buffer,
      token: this.token,
    });
    return this.token;
  }

  /** Hand `list` over; a newer list handed over meanwhile replaces it. */
  private async send(list: PathList): Promise<void> {
    const handover = ++this.handover;
    this.sending = list;
    this.list = null;
    const { paths } = list;
    for (let from = 0; from < paths.length; from += PATHS_PER_PART) {
      if (from > 0) await yieldToLoop();
      if (this.handover !== handover || this.broken) return;
      const to = Math.min(paths.length, from + PATHS_PER_PART);
      this.worker.postMessage({
        part: paths.slice(from, to).join('\0'),
        first: from === 0,
        last: to === paths.length,
      });
    }
    this.sending = null;
    this.list = list;
  }
}

/** The helper, once started; false when it could not be (the passes then stat everything inline). */
let helper: Helper | null | false = null;

/** Hand `list` to the helper thread (started on first use); null when it is busy or broken. */
export function startPrefetch(list: PathList): Prefetch | null {
  if (helper === false) return null;
  try {
    helper ??= new Helper();
    const token = helper.start(list);
    return token === null ? null : new Prefetch(list, token);
  } catch {
    // No thread to be had (a resource limit, a runtime without workers): inline stats it is.
    helper = false;
    return null;
  }
}

export const NOT_TAKEN = Symbol('not taken');

/**
 * One pass's prefetch: `take(path)` is the helper's stat of `path` when it got there first,
 * `undefined` for an absent file, or `NOT_TAKEN` (stat it inline).
 */
export class Prefetch {
  /** The chunk last looked at, and whether the helper had finished it. */
  private chunk = -1;
  private chunkDone = false;
  private published = -1;
  private readonly scratch: FileIdentity = { ino: 0, size: 0, mtimeMs: 0 };

  constructor(
    private readonly list: PathList,
    private readonly token: number,
  ) {}

  take(file: string, hint: number): FileIdentity | undefined | typeof NOT_TAKEN {
    const slot = this.list.slotOf(file, hint);
    if (slot === undefined) return NOT_TAKEN;
    const chunk = (slot / CHUNK) | 0;
    if (chunk !== this.chunk) {
      this.chunk = chunk;
      this.chunkDone = Atomics.load(this.list.done, chunk) === this.token;
      // The main thread does this chunk itself: the helper stops before it.
      if (!this.chunkDone && chunk > this.published) {
        this.published = chunk;
        Atomics.store(this.list.ctrl, MAIN_AT, chunk);
      }
    }
    if (!this.chunkDone) return NOT_TAKEN;
    const values = this.list.values;
    const at = slot * FIELDS;
    const kind = values[at + 3];
    if (kind === KIND_ABSENT) return undefined;
    // An error is stat'ed again inline, which reports it as the cache always has.
    if (kind !== KIND_PRESENT) return NOT_TAKEN;
    this.scratch.ino = values[at]!;
    this.scratch.size = values[at + 1]!;
    this.scratch.mtimeMs = values[at + 2]!;
    return this.scratch;
  }

  /** The pass is over: the helper stops where it is. */
  end(): void {
    Atomics.store(this.list.ctrl, MAIN_AT, STOP);
  }
}
