import { describe, expect, it } from 'vitest';
import { evaluatePause, parsePauseFlag } from '../../src/lanes/pause-rules.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const judge = (text: string, ageSec = 3600) =>
  evaluatePause(parsePauseFlag(text), ageSec, NOW, 600);

describe('pause flags: manual, held, stale', () => {
  it.each([
    ['', true, false, true],
    ['   \n', true, false, true],
    ['manual pause', true, false, true],
    ['MANUAL stop for maintenance', true, false, true],
    ['paused by scheduler', false, false, false],
    ['manual hold', true, true, false],
    ['HOLD please', false, true, false],
    ['manual: holding pattern', true, false, true], // "holding" is not the word "hold"
    ['{"reason":"manual","hold":true}', true, true, false],
    ['{"reason":"manual pause","hold":false}', true, false, true], // the key "hold" is not a word of the text
    ['{"reason":"manual","until":"2099-01-01T00:00:00Z"}', true, true, false],
    ['{"reason":"manual","until":"2020-01-01T00:00:00Z"}', true, false, true],
    ['{"reason":"manual","until":"next tuesday"}', true, true, false], // unreadable until: keep the pause
    // The engine's lenient Date.parse reads these as dates in 2001: they must be unreadable (held), not past.
    ['{"reason":"manual","until":"June 5"}', true, true, false],
    ['{"reason":"manual","until":"next week 3"}', true, true, false],
    ['{"reason":"manual","until":"1.5"}', true, true, false],
    // A number (epoch seconds?) is not a time we can read either: keep the pause.
    ['{"reason":"manual","until":4102444800}', true, true, false],
    ['{"reason":"manual","until":null}', true, false, true], // no until at all
    ['{"reason":"manual","until":"2026-06-01 11:00:00Z"}', true, false, true],
    ['{"reason":"manual","until":"2026-06-01T14:00:00+02:00"}', true, false, true],
    ['{"reason":"manual","until":"2026-06-01T14:00:01+02:00"}', true, true, false],
    ['{"by":"deploy-bot","reason":"rolling restart"}', false, false, false],
    ['{}', true, false, true],
    ['{not json but manual', true, false, true],
  ])('%j → manual %s, held %s, stale %s', (text, manual, held, stale) => {
    const p = judge(text);
    expect([p.manual, p.held, p.stale]).toEqual([manual, held, stale]);
  });

  it('is stale only from stale_manual_pause_sec on', () => {
    expect(judge('manual', 599).stale).toBe(false);
    expect(judge('manual', 600).stale).toBe(true);
  });

  it('summarises JSON flags for people', () => {
    expect(
      judge('{"reason":"manual pause","by":"ana","until":"2020-01-01T00:00:00Z"}').message,
    ).toBe('manual pause by ana until 2020-01-01T00:00:00Z');
  });
});
