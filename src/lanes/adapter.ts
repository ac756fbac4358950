import type { LaneReadError, LaneSnapshot } from '../domain/types.js';

export interface LaneRead {
  lanes: LaneSnapshot[];
  /** Lanes that could not be read: error rows in the report, never a crashed cycle. */
  errors: LaneReadError[];
}

export interface LaneReadOptions {
  /**
   * The read answers a request (the webhook listing the lanes for a `recover_lane` alert): its
   * slices yield to I/O but never wait for requests in flight, its own among them (util/slice.ts).
   */
  foreground?: boolean;
}

/** Where laneguard reads lanes from (`lanes.source`). */
export interface LaneAdapter {
  readonly source: 'orxaq' | 'command';
  read(now: Date, options?: LaneReadOptions): Promise<LaneRead>;
  /** The lane's runtime directory (pause flags live there for every source). */
  laneDir(laneId: string): string;
}

const TRUTHY = new Set(['1', 'true', 'yes', 'on']);

export function truthy(value: string | undefined): boolean {
  return value !== undefined && TRUTHY.has(value.trim().toLowerCase());
}

/** A lane's local endpoint URLs: all of them, from ORXAQ_LOCAL_OPENAI_BASE_URLS (`,` `;` or blanks) or the single form. */
export function laneEndpointUrls(env: Record<string, string>): string[] {
  const list = env.ORXAQ_LOCAL_OPENAI_BASE_URLS;
  const raw =
    list !== undefined && list.trim() !== '' ? list : (env.ORXAQ_LOCAL_OPENAI_BASE_URL ?? '');
  const urls = raw
    .split(/[,;\s]+/)
    .map((u) => u.trim())
    .filter(Boolean);
  return [...new Set(urls)];
}
