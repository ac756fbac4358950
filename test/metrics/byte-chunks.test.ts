// The byte writer behind the lane families: values spelled as prom-client spells them, UTF-8
// written whole, and chunks that end only where a line was given room.
import { describe, expect, it } from 'vitest';
import { ByteChunks, MAX_VALUE_BYTES, maxUtf8 } from '../../src/metrics/byte-chunks.js';
import { formatValue } from '../../src/metrics/exposition-text.js';

function collect(size?: number): { out: ByteChunks; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  return { out: new ByteChunks((c) => chunks.push(c), size), chunks };
}

describe('ByteChunks', () => {
  it('spells every value as formatValue does', () => {
    const values = [
      0,
      -0,
      1,
      2,
      9,
      10,
      99,
      100,
      12345,
      2 ** 31,
      2 ** 53,
      1e15 - 1,
      1e15,
      1e21,
      123456789012,
      0.5,
      1.25,
      86399.999,
      1e-7,
      -1,
      -2.5,
      NaN,
      Infinity,
      -Infinity,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
    ];
    for (const v of values) {
      const { out, chunks } = collect();
      out.room(MAX_VALUE_BYTES);
      out.value(v, formatValue);
      out.flush();
      expect(Buffer.concat(chunks).toString(), `value ${v}`).toBe(formatValue(v));
      expect(chunks[0]!.length).toBeLessThanOrEqual(MAX_VALUE_BYTES);
    }
  });

  it('writes any string as UTF-8, ASCII first or not, within the room it asked for', () => {
    for (const s of ['plain', 'ünïcødé', 'a🚀b', '🚀', 'quote\\"d', '', 'x'.repeat(300) + 'é']) {
      const { out, chunks } = collect();
      out.room(maxUtf8(s));
      out.text(s);
      out.flush();
      expect(Buffer.concat(chunks).toString()).toBe(s);
      expect(Buffer.concat(chunks).length).toBeLessThanOrEqual(maxUtf8(s));
    }
  });

  it('hands a chunk on only when a line lacks room, so every chunk is whole lines', () => {
    const { out, chunks } = collect(64);
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i} ünï ${'🚀'.repeat(i % 4)}`);
    for (const line of lines) {
      out.room(maxUtf8(line) + 1);
      out.text(line);
      out.newline();
    }
    out.flush();
    expect(chunks.length).toBeGreaterThan(10);
    const strict = new TextDecoder('utf-8', { fatal: true });
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(64);
      expect(strict.decode(chunk)).toMatch(/\n$/);
    }
    expect(Buffer.concat(chunks).toString()).toBe(lines.map((l) => `${l}\n`).join(''));
  });

  it('gives a line longer than a chunk a chunk of its own, and each chunk its own buffer', () => {
    const { out, chunks } = collect(16);
    out.room(3);
    out.text('ab\n');
    const long = `${'y'.repeat(40)}\n`;
    out.room(long.length);
    out.text(long);
    out.room(3);
    out.text('cd\n');
    out.flush();
    expect(chunks.map((c) => c.toString())).toEqual(['ab\n', long, 'cd\n']);
    // A chunk handed on is never written over: the socket may still hold it.
    expect(new Set(chunks.map((c) => c.buffer)).size).toBe(3);
  });

  it('flushes nothing when nothing was written', () => {
    const { out, chunks } = collect();
    out.flush();
    expect(chunks).toEqual([]);
    expect(out.pending).toBe(0);
  });
});
