// Exposition text written as bytes into chunks, for the lane families of a scrape (~17 lines a
// lane, ~0.9 MB at 1,000 lanes). Written as strings, every line was a new string, joined into a
// chunk string and encoded again by the socket: ~3 MB of short-lived strings a scrape, which in
// serve's 1 MB semi-space meant several scavenges per scrape copying the chunks still in flight
// (more time in the collector than in writing the text). Bytes written into a chunk buffer leave
// no garbage but the chunk, and a chunk lives outside the JavaScript heap.
//
// A chunk ends only between lines (the writer makes room for a whole line first), so each chunk
// is whole UTF-8 and can be decoded on its own.

/** Bytes per chunk: a few dozen chunks per 1,000 lanes, each written to the socket at once. */
export const CHUNK_BYTES = 64 * 1024;

const NEWLINE = 0x0a;
const DIGIT_0 = 0x30;
/** Integers below this are written digit by digit; larger ones as JavaScript spells them. */
const PLAIN_INTEGER_LIMIT = 1e15;

/** The bytes of `text` in UTF-8. */
export const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

export class ByteChunks {
  private buf: Buffer;
  private at = 0;

  constructor(
    private readonly emit: (chunk: Buffer) => void,
    private readonly size = CHUNK_BYTES,
  ) {
    this.buf = Buffer.allocUnsafeSlow(size);
  }

  /** Bytes written and not yet handed on. */
  get pending(): number {
    return this.at;
  }

  /**
   * Room for `n` more bytes in this chunk: the chunk so far is handed on when it lacks it (a line
   * longer than a chunk gets a chunk of its own size). Call it before each line with the line's
   * largest size.
   */
  room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafeSlow(n);
  }

  /** Hand the bytes written on (nothing when there are none). */
  flush(): void {
    if (this.at === 0) return;
    const chunk = this.buf.subarray(0, this.at);
    // The chunk is the socket's until written: the next one gets a buffer of its own.
    this.buf = Buffer.allocUnsafeSlow(this.size);
    this.at = 0;
    this.emit(chunk);
  }

  byte(b: number): void {
    this.buf[this.at++] = b;
  }

  bytes(b: Uint8Array): void {
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  /** Any string, in UTF-8; the room made must count its UTF-8 length (`maxUtf8`). */
  text(s: string): void {
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        // Not ASCII: the rest in one UTF-8 encode.
        this.at = at + buf.write(s.slice(i), at, 'utf8');
        return;
      }
      buf[at++] = c;
    }
    this.at = at;
  }

  /** A sample value as `formatValue` spells it (`spelled` for the values it does not write itself). */
  value(v: number, spelled: (v: number) => string): void {
    if (v === 0 || v === 1) {
      this.buf[this.at++] = DIGIT_0 + v;
      return;
    }
    if (!Number.isInteger(v) || v < 0 || v >= PLAIN_INTEGER_LIMIT) {
      this.text(spelled(v));
      return;
    }
    let digits = 1;
    for (let rest = v; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    const buf = this.buf;
    let at = this.at + digits;
    this.at = at;
    for (let rest = v; digits > 0; digits--) {
      buf[--at] = DIGIT_0 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
  }

  newline(): void {
    this.buf[this.at++] = NEWLINE;
  }
}

/** The most bytes `s` can take in UTF-8 (3 per UTF-16 unit; a surrogate pair takes 4 for 2). */
export const maxUtf8 = (s: string): number => s.length * 3;

/** The most bytes a sample value takes (`-1.2345678901234567e-308` and the like). */
export const MAX_VALUE_BYTES = 32;
