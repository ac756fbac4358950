// The pure rules of the idempotency ledger: which (fingerprint, startsAt) keys were acted on, and
// when; a key acted on within the window is a duplicate. No I/O here: `decide.ts` builds on it, and
// `ledger.ts` keeps the file that makes it survive restarts.

export interface LedgerEntry {
  fingerprint: string;
  starts_at: string;
  alertname: string | null;
  acted_at: string;
}

export type LedgerEntries = Readonly<Record<string, LedgerEntry>>;

/** Enough for every alert of a large fleet within any sane window; the oldest go first beyond it. */
export const MAX_LEDGER_ENTRIES = 10_000;

export function ledgerKey(fingerprint: string, startsAt: string): string {
  return `${fingerprint}@${startsAt}`;
}

/** A key acted on less than `windowSec` ago is a duplicate (HA Alertmanagers, retries, restarts). */
export function withinWindow(
  entry: LedgerEntry | undefined,
  now: Date,
  windowSec: number,
): boolean {
  if (!entry) return false;
  const actedAt = Date.parse(entry.acted_at);
  return Number.isFinite(actedAt) && now.getTime() - actedAt < windowSec * 1000;
}

/** Drop entries that can no longer deduplicate anything, and the oldest beyond the cap. */
export function pruneLedger(
  entries: LedgerEntries,
  now: Date,
  windowSec: number,
  max = MAX_LEDGER_ENTRIES,
): Record<string, LedgerEntry> {
  const live = Object.entries(entries).filter(([, e]) => withinWindow(e, now, windowSec));
  live.sort((a, b) => Date.parse(b[1].acted_at) - Date.parse(a[1].acted_at));
  return Object.fromEntries(live.slice(0, max));
}
