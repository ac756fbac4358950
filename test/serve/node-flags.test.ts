import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serveCommand } from '../../src/serve/daemon.js';
import { SERVE_NODE_FLAGS } from '../../src/serve/node-flags.js';

describe("serve's node flags on the laneguard start command line", () => {
  it('come before the entry point, after this node', () => {
    expect(
      serveCommand('/opt/lg/dist/main.js', '/srv/fleet', ['--listen', '127.0.0.1:0'], {}),
    ).toEqual([
      process.execPath,
      ...SERVE_NODE_FLAGS,
      '/opt/lg/dist/main.js',
      '--root',
      '/srv/fleet',
      'serve',
      '--listen',
      '127.0.0.1:0',
    ]);
  });

  it("leave out what the operator's NODE_OPTIONS sets (a command-line flag would override it)", () => {
    for (const options of [
      '--max-old-space-size=2048',
      '--trace-warnings --max_old_space_size=2048',
    ]) {
      const argv = serveCommand('/m.js', '/r', [], { NODE_OPTIONS: options });
      expect(argv.some((a) => a.startsWith('--max-old-space-size'))).toBe(false);
      for (const flag of SERVE_NODE_FLAGS.filter((f) => !f.startsWith('--max-old-space-size')))
        expect(argv).toContain(flag);
    }
  });

  it('the docs that name them name these', () => {
    for (const doc of ['README.md', 'docs/performance.md', 'deploy/systemd/README.md']) {
      const text = readFileSync(doc, 'utf8').replace(/\s+/g, ' ');
      expect(text, doc).toContain(SERVE_NODE_FLAGS.join(' '));
    }
  });
});
