// Repeated webhook bodies: parsed once, answered with the same frozen payload; bounded.
import { describe, expect, it } from 'vitest';
import { MEMO_ENTRIES, MEMO_MAX_BYTES, PayloadMemo } from '../../src/receiver/payload-memo.js';
import { alert, payload } from './helpers.js';

const bodyOf = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('PayloadMemo', () => {
  it('a repeated body gives the payload its first copy gave, frozen all the way down', () => {
    const memo = new PayloadMemo();
    const body = bodyOf(payload([alert()]));
    const first = memo.parse(body);
    const again = memo.parse(Buffer.from(body));
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    expect(again.payload).toBe(first.payload);
    expect(memo.hits).toBe(1);
    expect(Object.isFrozen(first.payload)).toBe(true);
    expect(Object.isFrozen(first.payload.alerts[0]!.labels)).toBe(true);
    expect(() => {
      (first.payload.alerts[0]!.labels as Record<string, string>).lane = 'other';
    }).toThrow(TypeError);
  });

  it('a body differing by one byte is parsed on its own', () => {
    const memo = new PayloadMemo();
    const a = memo.parse(bodyOf(payload([alert({ fingerprint: 'aaaaaaaaaaaaaaa1' })])));
    const b = memo.parse(bodyOf(payload([alert({ fingerprint: 'aaaaaaaaaaaaaaa2' })])));
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(b.payload.alerts[0]!.fingerprint).toBe('aaaaaaaaaaaaaaa2');
    expect(memo.hits).toBe(0);
  });

  it('a rejected body is judged every time, with its own message', () => {
    const memo = new PayloadMemo();
    const bad = Buffer.from('{"version":"3","alerts":[]}');
    for (let i = 0; i < 2; i++) {
      const result = memo.parse(bad);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.rejection.message).toMatch(/got version "3"/);
    }
    expect(memo.hits).toBe(0);
  });

  it(`keeps the last ${MEMO_ENTRIES} bodies of at most ${MEMO_MAX_BYTES} bytes`, () => {
    const memo = new PayloadMemo();
    const bodies = Array.from({ length: MEMO_ENTRIES + 1 }, (_, i) =>
      bodyOf(payload([alert({ fingerprint: `fp${String(i).padStart(4, '0')}` })])),
    );
    for (const body of bodies) memo.parse(body);
    // The oldest was dropped; the newest is kept.
    memo.parse(bodies[0]!);
    expect(memo.hits).toBe(0);
    memo.parse(bodies[MEMO_ENTRIES]!);
    expect(memo.hits).toBe(1);
    const big = bodyOf(payload([alert({ labels: { padding: 'x'.repeat(MEMO_MAX_BYTES) } })]));
    expect(memo.parse(big).ok).toBe(true);
    expect(memo.parse(big).ok).toBe(true);
    expect(memo.hits).toBe(1);
  });
});
