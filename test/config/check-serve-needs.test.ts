// `config check` checks what `serve` will need, and no JSON laneguard reads may carry a key that
// could replace an object's prototype. Errors about a command-line value name the flag.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { laneguard } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const GUARD = 'config/local_model_idle_guard.json';

function root(guard: Record<string, unknown> = {}): string {
  return buildSandboxRoot(tempDir(), {
    endpoints: [{ id: 'lm', base_url: 'http://127.0.0.1:9/v1' }],
    lanes: [{ id: 'a' }],
    guard,
  });
}

function setGuard(dir: string, text: string): void {
  writeFileSync(path.join(dir, GUARD), text);
}

describe('config check: what serve needs', () => {
  it('a missing or unreadable server.token_file is a config error naming the key', async () => {
    const missing = root({ server: { token_file: 'config/nope.token' } });
    const run = await laneguard(['--root', missing, 'config', 'check']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /config\/local_model_idle_guard\.json: server\.token_file: cannot read .*nope\.token \(ENOENT\)/,
    );
    const unreadable = root({ server: { token_file: 'config/token.d' } });
    mkdirSync(path.join(unreadable, 'config/token.d'));
    const dirRun = await laneguard(['--root', unreadable, 'config', 'check']);
    expect(dirRun.code).toBe(2);
    expect(dirRun.stderr).toMatch(/server\.token_file: cannot read .*token\.d \(EISDIR\)/);
    const fine = root({ server: { token_file: 'config/ok.token' } });
    writeFileSync(path.join(fine, 'config/ok.token'), 'secret-0123456789\n');
    const ok = await laneguard(['--root', fine, 'config', 'check']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).not.toContain('secret-0123456789');
  });

  it('a config file that is null is an error, not the defaults', async () => {
    const dir = root();
    setGuard(dir, 'null\n');
    const run = await laneguard(['--root', dir, 'config', 'check']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/local_model_idle_guard\.json: is `null`; it must be a JSON object/);
    const fleet = root();
    writeFileSync(path.join(fleet, 'config/local_model_fleet.json'), 'null');
    const fleetRun = await laneguard(['--root', fleet, 'config', 'check']);
    expect(fleetRun.code).toBe(2);
    expect(fleetRun.stderr).toMatch(/local_model_fleet\.json: is `null`/);
  });

  it('refuses __proto__, constructor and prototype keys at any depth, also spelled with escapes', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        '{"__proto__": {"lanes": {"start_command": ["touch", "/tmp/owned"]}}}',
        /local_model_idle_guard\.json: __proto__: "__proto__" is not allowed as a key/,
      ],
      [
        '{"lanes": {"constructor": {"prototype": {"x": 1}}}}',
        /lanes\.constructor: "constructor" is not allowed/,
      ],
      [
        '{"webhook": {"routes": [{"match": {"prototype": "x"}, "action": "none"}]}}',
        /webhook\.routes\[0\]\.match\.prototype: "prototype" is not allowed/,
      ],
      ['{"\\u005f_proto__": {"dry_run": true}}', /__proto__: "__proto__" is not allowed/],
    ];
    for (const [text, message] of cases) {
      const dir = root();
      setGuard(dir, text);
      const before = readFileSync(path.join(dir, GUARD), 'utf8');
      const run = await laneguard(['--root', dir, 'config', 'check']);
      expect(run.code, text).toBe(2);
      expect(run.stderr, text).toMatch(message);
      expect(readFileSync(path.join(dir, GUARD), 'utf8')).toBe(before);
    }
  });
});

describe('serve --listen', () => {
  it('names the flag, not the config file, for a bad value', async () => {
    const dir = root();
    const bad = await laneguard(['--root', dir, 'serve', '--listen', 'nonsense']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'laneguard: --listen: "nonsense" is not host:port (e.g. 127.0.0.1:9477)',
    );
    const range = await laneguard(['--root', dir, 'serve', '--listen', '127.0.0.1:70000']);
    expect(range.stderr.trim()).toBe('laneguard: --listen: port 70000 is out of range');
    const open = await laneguard(['--root', dir, 'serve', '--listen', '0.0.0.0:0']);
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(
      /^laneguard: --listen: refusing to listen on 0\.0\.0\.0:0 without a token/,
    );
    expect(open.stderr).not.toContain('local_model_idle_guard.json');
  });
});
