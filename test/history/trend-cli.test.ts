// `laneguard history trend` through the real command tree (in process), on a root with a real history file.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { tempDir } from '../helpers/tmp.js';

async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['node', 'laneguard', ...args], {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    exitCode: 0,
  });
  return { code, out, err };
}

/** A root whose history holds cycles every minute for the last `minutes`, with the idle counter given per minute. */
function rootWithCycles(
  idle: (minuteAgo: number) => number,
  minutes: number,
  guard: Record<string, unknown> = {},
): string {
  const root = tempDir();
  mkdirSync(path.join(root, 'config'), { recursive: true });
  mkdirSync(path.join(root, 'artifacts/autonomy/local_models'), { recursive: true });
  writeFileSync(
    path.join(root, 'config/local_model_fleet.json'),
    JSON.stringify({ endpoints: [] }),
  );
  writeFileSync(path.join(root, 'config/local_model_idle_guard.json'), JSON.stringify(guard));
  const now = Date.now();
  const lines: string[] = [];
  for (let ago = minutes; ago >= 1; ago--) {
    const value = idle(ago);
    lines.push(
      JSON.stringify({
        ts: new Date(now - ago * 60_000).toISOString(),
        type: 'cycle',
        consecutive_idle_cycles: value,
        local_running_after: value === 0 ? 1 : 0,
        endpoint_floor_unmet_cycles: 0,
        anomalies: [],
      }),
    );
    lines.push(
      JSON.stringify({
        ts: new Date(now - ago * 60_000).toISOString(),
        type: 'lane_started',
        lane: 'a',
      }),
    );
  }
  lines.push('{"torn":');
  writeFileSync(
    path.join(root, 'artifacts/autonomy/local_models/idle_guard_history.ndjson'),
    `${lines.join('\n')}\n`,
  );
  return root;
}

describe('laneguard history trend', () => {
  it('--help explains the chart, its marks and the options', async () => {
    const { code, out } = await cli('history', 'trend', '--help');
    expect(code).toBe(0);
    const help = out.join('\n');
    expect(help).toContain('Usage: laneguard history trend [options]');
    for (const text of [
      '--since <when>',
      '--width <n>',
      '--json',
      'consecutive_idle_cycles',
      'floor was not met',
      'idle_alert_threshold_cycles',
      'no cycle in that slice',
    ])
      expect(help).toContain(text);
  });

  it('draws the cycles of the period only, with the configured alert threshold', async () => {
    // Two hours of cycles; the counter climbs from 1 to 8 in the last 8 minutes, 0 before.
    const root = rootWithCycles((ago) => (ago <= 8 ? 9 - ago : 0), 120, {
      idle_alert_threshold_cycles: 4,
    });
    const { code, out, err } = await cli(
      '--root',
      root,
      'history',
      'trend',
      '--since',
      '1h',
      '--width',
      '30',
    );
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^idle-cycle trend, last 1h: (59|60) cycles from /);
    const spark = out[1]!.slice(7);
    expect(spark).toHaveLength(30);
    expect(spark.slice(0, 10)).toBe('▁'.repeat(10));
    expect(spark.trim().at(-1)).toBe('█');
    expect(out[2]).toContain('^');
    expect(out[4]).toMatch(/^now 8 consecutive idle cycles · peak 8 · alert at 4 · /);
    expect(err).toEqual(['(1 unreadable line(s) skipped)']);
  });

  it('--json prints the points and the summary', async () => {
    const root = rootWithCycles((ago) => ago % 3, 10);
    const { code, out } = await cli(
      '--root',
      root,
      'history',
      'trend',
      '--json',
      '--since',
      '330s',
    );
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const json = JSON.parse(out[0]!) as {
      idle_alert_threshold_cycles: number;
      summary: { cycles: number; peak: number };
      points: Array<{ consecutive_idle_cycles: number }>;
    };
    expect(json.idle_alert_threshold_cycles).toBe(6);
    expect(json.points.map((p) => p.consecutive_idle_cycles)).toEqual([2, 1, 0, 2, 1]);
    expect(json.summary).toMatchObject({ cycles: 5, peak: 2 });
  });

  it('says so when there is no cycle in the period', async () => {
    const root = rootWithCycles(() => 1, 3);
    const { code, out } = await cli('--root', root, 'history', 'trend', '--since', '30s');
    expect(code).toBe(0);
    expect(out[0]).toBe(
      'no cycle events in the last 30s: the guard has not completed a cycle in that period',
    );
  });

  it('refuses a bad period, a bad width and the filters of plain `history` (exit 2)', async () => {
    const root = rootWithCycles(() => 1, 3);
    for (const args of [
      ['--since', 'yesterday-ish'],
      ['--width', '5'],
      ['--width', 'wide'],
      ['--type', 'cycle'],
      ['--lane', 'a'],
    ]) {
      const { code, err } = await cli('--root', root, 'history', 'trend', ...args);
      expect(code, args.join(' ')).toBe(2);
      expect(err.join('\n'), args.join(' ')).toMatch(
        /^laneguard: (--since|--width|history trend does not take --(type|lane))/,
      );
    }
  });

  it('leaves plain `history` and its options as they were', async () => {
    const root = rootWithCycles(() => 1, 3);
    const { code, out } = await cli(
      '--root',
      root,
      'history',
      '--type',
      'lane_started',
      '--limit',
      '2',
    );
    expect(code).toBe(0);
    expect(out).toHaveLength(2);
    for (const line of out) expect(line).toContain('lane_started');
  });
});
