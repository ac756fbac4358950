import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandArgv } from '../../src/actions/run.js';
import { runArgv } from '../../src/process/index.js';
import { pidAlive } from '../../src/process/index.js';
import { tempDir } from '../helpers/tmp.js';

const node = process.execPath;

describe('runArgv', () => {
  it('runs without a shell: metacharacters are plain arguments', async () => {
    const dir = tempDir();
    const marker = path.join(dir, 'pwned');
    const result = await runArgv(
      [
        node,
        '-e',
        'console.log(JSON.stringify(process.argv.slice(1)))',
        `; touch ${marker}`,
        `$(touch ${marker})`,
        '`id`',
      ],
      { timeoutMs: 10_000 },
    );
    expect(result.ok).toBe(true);
    expect(JSON.parse(result.output)).toEqual([`; touch ${marker}`, `$(touch ${marker})`, '`id`']);
    expect(existsSync(marker)).toBe(false);
  });

  it('returns failure as data: exit code, output tail', async () => {
    const result = await runArgv(
      [node, '-e', 'process.stdout.write("x".repeat(5000) + "END"); process.exit(3)'],
      { timeoutMs: 10_000, keepBytes: 100 },
    );
    expect(result).toMatchObject({ ok: false, failed: true, timedOut: false, exitCode: 3 });
    expect(result.output).toHaveLength(100);
    expect(result.output.endsWith('END')).toBe(true);
  });

  it('a missing program is a failed result, not an exception', async () => {
    const result = await runArgv(['/nonexistent/laneguard-program'], { timeoutMs: 5000 });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/ENOENT/);
  });

  it('kills the whole tree on timeout, even children that ignore TERM', async () => {
    const result = await runArgv([node, path.resolve('test/fixtures/tree.mjs')], {
      timeoutMs: 1500,
      killGraceMs: 300,
    });
    expect(result.timedOut).toBe(true);
    expect(result.ok).toBe(false);
    const { parent, grandchild } = JSON.parse(result.output.trim().split('\n')[0]!) as {
      parent: number;
      grandchild: number;
    };
    for (let i = 0; i < 50 && (pidAlive(parent) || pidAlive(grandchild)); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(pidAlive(parent)).toBe(false);
    expect(pidAlive(grandchild)).toBe(false);
  });

  it('does not wait for a daemonised grandchild that keeps the output pipe open', async () => {
    const script =
      "const c=require('child_process').spawn(process.execPath,['-e','setTimeout(()=>{},60000)'],{detached:true,stdio:['ignore','inherit','inherit']});console.log(c.pid);c.unref()";
    const result = await runArgv([node, '-e', script], { timeoutMs: 20_000 });
    expect(result.ok).toBe(true);
    expect(result.timedOut).toBe(false);
    process.kill(Number(result.output.trim()), 'SIGKILL');
  });

  it('a timeout beyond what a timer can hold (about 24.8 days) is not cut to a millisecond', async () => {
    // command_timeout_sec accepts any positive number; setTimeout turns delays above 2^31-1 ms into 1 ms.
    const result = await runArgv([node, '-e', 'setTimeout(() => {}, 300)'], {
      timeoutMs: 3_000_000 * 1000,
    });
    expect(result.timedOut).toBe(false);
    expect(result.ok).toBe(true);
  });

  it('fills placeholders as whole arguments only', () => {
    expect(
      expandArgv(['x', '--root', '{root}', '--lane={lane}', '{endpoint}', '{other}'], {
        root: '/r oot',
        lane: 'a;b',
        endpoint: 'http://e',
      }),
    ).toEqual(['x', '--root', '/r oot', '--lane=a;b', 'http://e', '{other}']);
  });
});

describe('the environment of fleet commands', () => {
  it("does not pass laneguard's webhook token on", async () => {
    const before = process.env.LANEGUARD_WEBHOOK_TOKEN;
    process.env.LANEGUARD_WEBHOOK_TOKEN = 'secret-token';
    try {
      const result = await runArgv(
        [
          process.execPath,
          '-e',
          'console.log(JSON.stringify([process.env.LANEGUARD_WEBHOOK_TOKEN ?? null, process.env.PATH ? "path" : null]))',
        ],
        { timeoutMs: 10_000 },
      );
      expect(JSON.parse(result.output)).toEqual([null, 'path']);
    } finally {
      if (before === undefined) delete process.env.LANEGUARD_WEBHOOK_TOKEN;
      else process.env.LANEGUARD_WEBHOOK_TOKEN = before;
    }
  });
});
