import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { identify, pidAlive, terminateTree, terminateVerified } from '../../src/process/index.js';
import { systemClock } from '../../src/util/clock.js';
import { waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { BACKEND_NAMES, DEAF_TO_TERM, SLEEPER, startNode, useBackend } from './helpers.js';

const TREE = path.resolve('test/fixtures/tree.mjs');

describe.each(BACKEND_NAMES)('verified terminate with the %s backend', (name) => {
  useBackend(name);
  const options = { clock: systemClock, graceMs: 500, killWaitMs: 10_000 };

  it('TERM is enough for a process that obeys it', async () => {
    const { pid } = await startNode(SLEEPER, ['marker', tempDir()]);
    const target = await waitFor(() => identify(pid), 'the process');
    expect(await terminateVerified(target, options)).toEqual({
      ok: true,
      signals: ['SIGTERM'],
      reason: null,
    });
    expect(pidAlive(pid)).toBe(false);
  });

  it('TERM, wait, KILL for a process deaf to TERM', async () => {
    const started = await startNode(DEAF_TO_TERM, ['marker', tempDir()]);
    await waitFor(() => started.output().includes('ready'), 'the TERM handler');
    const target = identify(started.pid)!;
    expect(await terminateVerified(target, options)).toEqual({
      ok: true,
      signals: ['SIGTERM', 'SIGKILL'],
      reason: null,
    });
    expect(pidAlive(started.pid)).toBe(false);
  });

  it('never signals a pid that is now another process (other start) or no longer matches', async () => {
    const { pid } = await startNode(SLEEPER, ['marker', tempDir()]);
    await waitFor(() => identify(pid), 'the process');
    expect(await terminateVerified({ pid, start: `${name}:1` }, options)).toEqual({
      ok: true,
      signals: [],
      reason: null,
    });
    expect(
      await terminateVerified(identify(pid)!, {
        ...options,
        matches: (info) => info.commandLine.includes('lane-worker'),
      }),
    ).toEqual({ ok: true, signals: [], reason: null });
    expect(pidAlive(pid)).toBe(true);
  });

  it('a whole tree: children deaf to TERM are killed too, even once their parent is gone', async () => {
    const started = await startNode(`import(${JSON.stringify(TREE)})`, ['marker', tempDir()]);
    const { grandchild } = JSON.parse(
      await waitFor(() => started.output().trim().split('\n')[0], 'the tree'),
    ) as { grandchild: number };
    const target = identify(started.pid)!;
    const result = await terminateTree(target, options);
    expect(result).toMatchObject({ ok: true, signals: ['SIGTERM', 'SIGKILL'], reason: null });
    expect(result.pids).toEqual(expect.arrayContaining([started.pid, grandchild]));
    expect(pidAlive(started.pid)).toBe(false);
    expect(pidAlive(grandchild)).toBe(false);
  });

  it('a tree whose root is not the verified process is left alone', async () => {
    const { pid } = await startNode(SLEEPER, ['marker', tempDir()]);
    await waitFor(() => identify(pid), 'the process');
    expect(await terminateTree({ pid, start: `${name}:1` }, options)).toEqual({
      ok: true,
      signals: [],
      reason: null,
      pids: [],
    });
    expect(pidAlive(pid)).toBe(true);
  });
});
