// The idempotency ledger's file: read, repaired when torn, written atomically. The rules (key,
// window, pruning) are pure and live in `ledger-rules.ts`.
import { atomicWriteJsonAsync, readJson } from '../store/atomic.js';
import { loadStateFile } from '../store/state-file.js';
import {
  pruneLedger,
  type LedgerEntries,
  type LedgerEntry,
} from '../core/receiver/ledger-rules.js';

export interface LedgerFile {
  version: 1;
  entries: Record<string, LedgerEntry>;
}

function isEntry(value: unknown): value is LedgerEntry {
  if (!value || typeof value !== 'object') return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.fingerprint === 'string' &&
    typeof e.starts_at === 'string' &&
    typeof e.acted_at === 'string' &&
    (e.alertname === null || typeof e.alertname === 'string')
  );
}

export type LedgerRead =
  | { status: 'ok' | 'missing'; entries: Record<string, LedgerEntry> }
  | { status: 'corrupt'; entries: Record<string, LedgerEntry>; error: string };

/** The entries of a parsed ledger file (malformed entries left out), or why it is not a ledger. */
function parseLedger(json: unknown): Record<string, LedgerEntry> | string {
  const value = json as Partial<LedgerFile> | null;
  if (
    !value ||
    typeof value !== 'object' ||
    value.version !== 1 ||
    !value.entries ||
    typeof value.entries !== 'object'
  ) {
    return 'not a laneguard webhook ledger ({"version": 1, "entries": {...}})';
  }
  const entries: Record<string, LedgerEntry> = {};
  for (const [key, entry] of Object.entries(value.entries))
    if (isEntry(entry)) entries[key] = entry;
  return entries;
}

/** Read the ledger file without changing it. */
export function readLedgerFile(file: string): LedgerRead {
  const read = readJson(file);
  if (read.status === 'missing') return { status: 'missing', entries: {} };
  if (read.status === 'corrupt') return { status: 'corrupt', entries: {}, error: read.error };
  const parsed = parseLedger(read.value);
  return typeof parsed === 'string'
    ? { status: 'corrupt', entries: {}, error: parsed }
    : { status: 'ok', entries: parsed };
}

export interface LedgerRepair {
  file: string;
  error: string;
  movedTo: string | null;
}

/**
 * The daemon's ledger: read once from its file, kept in memory, written atomically on every change.
 * A corrupt file is moved aside (kept for inspection) and the ledger starts empty.
 */
export class LedgerStore {
  private entries: Record<string, LedgerEntry>;
  /** Writes run one after another, so the file ends with the latest entries. */
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    entries: Record<string, LedgerEntry>,
  ) {
    this.entries = entries;
  }

  static open(file: string, now: Date): { store: LedgerStore; repair: LedgerRepair | null } {
    const loaded = loadStateFile<Record<string, LedgerEntry>>(file, now, () => ({}), parseLedger);
    const repair =
      loaded.error !== null ? { file, error: loaded.error, movedTo: loaded.repairedFrom } : null;
    return { store: new LedgerStore(file, loaded.state), repair };
  }

  snapshot(): LedgerEntries {
    return this.entries;
  }

  /**
   * Record acted keys (pruning what expired) and persist. Memory is updated at once, before this
   * returns, so a duplicate arriving while the file is written is already deduplicated; the write
   * and its fsync run off the event loop (requests in flight do not wait for the disk), and the
   * promise settles when it is on disk. Memory is updated even when the write fails.
   */
  record(
    added: Readonly<Record<string, LedgerEntry>>,
    now: Date,
    windowSec: number,
  ): Promise<void> {
    this.entries = pruneLedger({ ...this.entries, ...added }, now, windowSec);
    const content: LedgerFile = { version: 1, entries: this.entries };
    const write = this.writing.then(() => atomicWriteJsonAsync(this.file, content));
    this.writing = write.catch(() => undefined);
    return write;
  }
}
