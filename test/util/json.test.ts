// One JSON reader for what laneguard did not write itself: prototype keys are refused everywhere.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEventLine } from '../../src/history/read.js';
import { parsePauseFlag } from '../../src/lanes/pause-rules.js';
import { parsePayload } from '../../src/receiver/payload.js';
import { readJson } from '../../src/store/atomic.js';
import { ForbiddenKeyError, parseJson } from '../../src/util/json.js';
import { tempDir } from '../helpers/tmp.js';

describe('parseJson', () => {
  it('parses what JSON.parse parses', () => {
    expect(parseJson('{"a": [1, {"b": "constructor of things"}]}')).toEqual({
      a: [1, { b: 'constructor of things' }],
    });
    expect(() => parseJson('{')).toThrow(SyntaxError);
  });

  it('refuses a forbidden key at any depth, with its path, however it is spelled', () => {
    const cases: Array<[string, string]> = [
      ['{"__proto__": {"x": 1}}', '__proto__'],
      ['{"a": [{"b": {"constructor": 1}}]}', 'a[0].b.constructor'],
      ['[{"prototype": null}]', '[0].prototype'],
      ['{"\\u005f\\u005fproto\\u005f\\u005f": 1}', '__proto__'],
    ];
    for (const [text, where] of cases) {
      let error: unknown;
      try {
        parseJson(text);
      } catch (err) {
        error = err;
      }
      expect(error, text).toBeInstanceOf(ForbiddenKeyError);
      expect((error as ForbiddenKeyError).keyPath).toBe(where);
    }
  });

  it('walks deep nesting without overflowing the stack', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(() => parseJson(`{"x": ${deep}, "prototype": 1}`)).toThrow(ForbiddenKeyError);
  });
});

describe('every JSON reader refuses prototype keys', () => {
  it('state files are corrupt, history lines skipped, pause flags free text, payloads invalid', () => {
    const file = path.join(tempDir(), 'state.json');
    writeFileSync(file, '{"lanes": {"__proto__": {"backoff": 0}}}');
    expect(readJson(file)).toMatchObject({
      status: 'corrupt',
      error: expect.stringMatching(/key "__proto__" at lanes\.__proto__ is not allowed/),
    });
    expect(
      parseEventLine(
        '{"ts": "2026-06-01T00:00:00.000Z", "type": "cycle", "__proto__": {"lane": "x"}}',
      ),
    ).toBeNull();
    expect(parsePauseFlag('{"reason": "manual", "__proto__": {"hold": true}}')).toMatchObject({
      json: false,
    });
    const payload = parsePayload(
      '{"version": "4", "alerts": [{"labels": {"__proto__": {"laneguard_action": "recover"}}}]}',
    );
    expect(payload.ok).toBe(false);
    if (!payload.ok)
      expect(payload.rejection).toMatchObject({
        reason: 'invalid_payload',
        message: expect.stringMatching(
          /alerts\[0\]\.labels\.__proto__: the key "__proto__" is not allowed/,
        ),
      });
  });
});
