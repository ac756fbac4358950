// deploy/logrotate/laneguard: logrotate accepts it, and rotating a log that a live daemon keeps
// open for append (copytruncate) keeps every later line, with no hole, in the emptied file.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';

const LOGROTATE = process.env.LOGROTATE ?? 'logrotate';
const SHIPPED = path.resolve('deploy/logrotate/laneguard');
const OUTPUTS = '/srv/laneguard/artifacts/autonomy/local_models';
const WRITER = path.resolve('test/fixtures/log-writer.mjs');

const children: Array<{ kill: () => boolean }> = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill();
});

function logrotate(args: string[]): { status: number | null; output: string } {
  const r = spawnSync(LOGROTATE, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error)
    throw new Error(
      `cannot run ${LOGROTATE} (Debian package logrotate; .ci/run installs it): ${r.error.message}`,
    );
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** The shipped config pointed at `dir`, rotating as the current user (the test's temp dir owner). */
function stagedConfig(dir: string): string {
  const user = spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim();
  const group = spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();
  const text = readFileSync(SHIPPED, 'utf8');
  expect(text).toContain(`${OUTPUTS}/*.log {`);
  expect(text).toMatch(/^ {4}su laneguard laneguard$/m);
  const file = path.join(dir, 'laneguard.logrotate');
  writeFileSync(
    file,
    text
      .replace(OUTPUTS, path.join(dir, 'out'))
      .replace('su laneguard laneguard', `su ${user} ${group}`),
  );
  return file;
}

const lines = (text: string): number[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(/^line (\d+)$/.exec(l)?.[1] ?? NaN));

async function waitFor(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 3000 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('deploy/logrotate/laneguard', () => {
  it('rotates by copy and truncate, keeping five, for every log in the outputs directory', () => {
    const text = readFileSync(SHIPPED, 'utf8');
    for (const directive of ['copytruncate', 'rotate 5', 'missingok', 'notifempty'])
      expect(text).toMatch(new RegExp(`^ {4}${directive}$`, 'm'));
    const dir = tempDir();
    const { status, output } = logrotate([
      '--debug',
      '-s',
      path.join(dir, 'state'),
      stagedConfig(dir),
    ]);
    expect(output).not.toMatch(/^error:/m);
    expect(status).toBe(0);
  });

  it('a daemon that keeps its log open for append goes on writing into the emptied file', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'out'));
    const log = path.join(dir, 'out', 'idle_guard.log');
    const fd = openSync(log, 'a');
    const child = spawn(process.execPath, [WRITER], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    children.push(child);
    await waitFor('50 lines', () => lines(readFileSync(log, 'utf8')).length >= 50);

    const { status, output } = logrotate(['-f', '-s', path.join(dir, 'state'), stagedConfig(dir)]);
    expect(output).not.toMatch(/^error:/m);
    expect(status).toBe(0);
    const rotated = `${log}.1`;
    expect(existsSync(rotated)).toBe(true);
    const before = lines(readFileSync(rotated, 'utf8'));
    await waitFor('lines after the rotation', () => lines(readFileSync(log, 'utf8')).length >= 20);
    child.kill();

    const liveBytes = readFileSync(log);
    // O_APPEND: the next write lands at offset 0 of the truncated file, so no run of NUL bytes.
    expect(liveBytes.includes(0)).toBe(false);
    const after = lines(liveBytes.toString('utf8'));
    expect(before[0]).toBe(1);
    for (const seq of [before, after])
      seq.forEach((n, i) => i > 0 && expect(n).toBe(seq[i - 1]! + 1));
    // Nothing written twice; at most the lines between copy and truncate are missing.
    expect(after[0]!).toBeGreaterThan(before.at(-1)!);
  });
});
