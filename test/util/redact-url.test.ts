import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/util/redact-url.js';

describe('redactUrl', () => {
  it('keeps a URL without credentials as configured', () => {
    expect(redactUrl('http://127.0.0.1:1234/v1')).toBe('http://127.0.0.1:1234/v1');
    expect(redactUrl('http://gpu-box:11434')).toBe('http://gpu-box:11434');
    expect(redactUrl('http://gpu-box:11434/')).toBe('http://gpu-box:11434/');
  });

  it('replaces user and password', () => {
    expect(redactUrl('https://alice:s3cret@models.lan:8443/v1')).toBe(
      'https://REDACTED@models.lan:8443/v1',
    );
    expect(redactUrl('http://tokenonly@models.lan/v1')).toBe('http://REDACTED@models.lan/v1');
  });

  it('replaces every query value, keeping the keys', () => {
    const out = redactUrl('http://models.lan/v1?api_key=abc123&x=1&x=2#frag');
    expect(out).toBe('http://models.lan/v1?api_key=REDACTED&x=REDACTED');
    expect(out).not.toContain('abc123');
  });

  it('never passes credentials of a string it cannot parse', () => {
    const out = redactUrl('http://bob:hunter2@[bad host/v1?token=t0k');
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('t0k');
  });
});
