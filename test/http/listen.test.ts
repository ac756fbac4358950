// The start-up refusal of a non-loopback bind without a token: only addresses that are loopback
// whatever DNS says count as loopback.
import { describe, expect, it } from 'vitest';
import { isLoopbackListen } from '../../src/http/auth.js';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { startServer } from '../../src/serve/serve.js';
import { systemClock } from '../../src/util/clock.js';
import { tempDir } from '../helpers/tmp.js';

describe('loopback listen addresses', () => {
  it('counts 127.0.0.0/8 literals, ::1 and localhost, not host names that merely start with 127.', () => {
    for (const listen of ['127.0.0.1:9477', '127.1.2.3:0', '[::1]:9477', 'localhost:9477'])
      expect(isLoopbackListen(listen), listen).toBe(true);
    for (const listen of [
      '0.0.0.0:9477',
      ':9477',
      '[::]:9477',
      '10.0.0.5:9477',
      '127.attacker.example:9477',
      '127.0.0.1.nip.io:9477',
    ])
      expect(isLoopbackListen(listen), listen).toBe(false);
  });

  it('serve refuses a host name starting with 127. without a token, before resolving it', async () => {
    const root = buildSandboxRoot(tempDir(), { endpoints: [], lanes: [] });
    const started = startServer({
      root,
      clock: systemClock,
      log: () => undefined,
      listen: '127.example.invalid:0',
      writePidFile: false,
      env: {},
    });
    // (Should it start after all, it is stopped again: the assertion below has failed by then.)
    void started.then(
      (running) => running.stop('test'),
      () => undefined,
    );
    await expect(started).rejects.toThrow(
      /refusing to listen on 127\.example\.invalid:0 without a token/,
    );
  });
});
