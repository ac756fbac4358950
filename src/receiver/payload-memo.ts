// Payloads seen again are not parsed again. Alertmanager sends the same bytes many times: every
// member of an HA cluster sends its own copy of each notification, a failed call is retried, and
// an unresolved group is sent again every group_interval / repeat_interval. Parsing and validating
// a payload is most of the CPU a webhook call costs; a repeat is answered with the payload the
// first copy gave, frozen (nothing downstream may change it).
//
// Bounded: the last MEMO_ENTRIES valid bodies of at most MEMO_MAX_BYTES each (≤ 256 KB held).
// Only valid payloads are kept; a rejected body is parsed every time, so its rejection names what
// is wrong with it.
import { deepFreeze } from '../config/freeze.js';
import { parsePayload, type ParseResult, type WebhookPayload } from './payload.js';

export const MEMO_ENTRIES = 16;
export const MEMO_MAX_BYTES = 16 * 1024;

export class PayloadMemo {
  /** Body bytes (as latin1 text: one character per byte) → the payload they hold. */
  private readonly seen = new Map<string, WebhookPayload>();
  hits = 0;

  parse(body: Buffer): ParseResult {
    if (body.length > MEMO_MAX_BYTES) return parsePayload(body);
    const key = body.toString('latin1');
    const known = this.seen.get(key);
    if (known !== undefined) {
      this.hits++;
      return { ok: true, payload: known };
    }
    const parsed = parsePayload(body);
    if (!parsed.ok) return parsed;
    if (this.seen.size >= MEMO_ENTRIES) this.seen.delete(this.seen.keys().next().value!);
    const payload = deepFreeze(parsed.payload);
    this.seen.set(key, payload);
    return { ok: true, payload };
  }
}
