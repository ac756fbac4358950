import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/history/store.js';
import {
  levelChar,
  renderTrendText,
  summarizeTrend,
  trendColumns,
  trendJson,
  trendPoints,
} from '../../src/history/trend.js';

const T0 = Date.parse('2026-06-01T10:00:00.000Z');
const at = (min: number): string => new Date(T0 + min * 60_000).toISOString();

function cycle(min: number, idle: number, over: Record<string, unknown> = {}): HistoryEvent {
  return {
    ts: at(min),
    type: 'cycle',
    cycle_id: `c${min}`,
    consecutive_idle_cycles: idle,
    local_running_after: idle > 0 ? 0 : 1,
    endpoint_floor_unmet_cycles: 0,
    anomalies: [],
    ...over,
  };
}

describe('trendPoints', () => {
  it('keeps well-formed cycle events only, oldest first, and reads running, outage and anomalies', () => {
    const events: HistoryEvent[] = [
      cycle(2, 2, { anomalies: ['idle_while_endpoints_healthy'] }),
      { ts: at(1), type: 'lane_started', lane: 'a' },
      cycle(1, 1),
      cycle(3, 2, { endpoint_floor_unmet_cycles: 1, local_running_after: 0 }),
      cycle(4, 2, {
        anomalies: ['endpoint_floor_not_met'],
        endpoint_floor_unmet_cycles: undefined,
      }),
      { ts: 'not a time', type: 'cycle', consecutive_idle_cycles: 5 },
      { ts: at(5), type: 'cycle', consecutive_idle_cycles: 'many' },
      { ts: at(6), type: 'cycle' },
      cycle(7, 0, { local_running_after: undefined, anomalies: 'garbage' }),
    ];
    const points = trendPoints(events);
    expect(points.map((p) => [p.ts, p.idle, p.running, p.floorUnmet])).toEqual([
      [at(1), 1, 0, false],
      [at(2), 2, 0, false],
      [at(3), 2, 0, true],
      [at(4), 2, 0, true],
      [at(7), 0, null, false],
    ]);
    expect(points[1]!.anomalies).toEqual(['idle_while_endpoints_healthy']);
    expect(points[4]!.anomalies).toEqual([]);
    expect(points[0]!.at).toBe(T0 + 60_000);
  });

  it('summarizes: current, peak, idle cycles (nothing running, floor met) and outage cycles', () => {
    const points = trendPoints([
      cycle(0, 0),
      cycle(1, 1),
      cycle(2, 2),
      cycle(3, 2, { endpoint_floor_unmet_cycles: 1 }),
      cycle(4, 3),
      cycle(5, 0),
    ]);
    expect(summarizeTrend(points)).toEqual({
      cycles: 6,
      current: 0,
      peak: 3,
      idleCycles: 3,
      outageCycles: 1,
      firstAt: at(0),
      lastAt: at(5),
    });
    expect(summarizeTrend([])).toEqual({
      cycles: 0,
      current: null,
      peak: 0,
      idleCycles: 0,
      outageCycles: 0,
      firstAt: null,
      lastAt: null,
    });
  });
});

describe('trendColumns and levelChar', () => {
  it('splits first cycle..end into equal time slices: peak per slice, outage if any, gaps stay empty', () => {
    // 10 minutes over 5 columns: 2 minutes each; the guard did not run from minute 4 to 8.
    const points = trendPoints([
      cycle(0, 1),
      cycle(1, 3),
      cycle(2, 2, { endpoint_floor_unmet_cycles: 1 }),
      cycle(3, 2),
      cycle(9, 0),
    ]);
    expect(trendColumns(points, 5, new Date(T0 + 10 * 60_000))).toEqual([
      { peak: 3, floorUnmet: false },
      { peak: 2, floorUnmet: true },
      { peak: null, floorUnmet: false },
      { peak: null, floorUnmet: false },
      { peak: 0, floorUnmet: false },
    ]);
  });

  it('puts a lone cycle (no time span) in the last column', () => {
    const columns = trendColumns(trendPoints([cycle(0, 4)]), 4, new Date(T0));
    expect(columns.map((c) => c.peak)).toEqual([null, null, null, 4]);
    expect(trendColumns([], 3, new Date(T0)).map((c) => c.peak)).toEqual([null, null, null]);
  });

  it('draws 0 as the lowest block, scales up to a full block, and leaves no-data blank', () => {
    expect([null, 0, 1, 3, 6, 7, 12].map((v) => levelChar(v, 6))).toEqual([
      ' ',
      '▁',
      '▃',
      '▅',
      '█',
      '█',
      '█',
    ]);
    expect(levelChar(1, 100)).toBe('▂');
  });
});

describe('renderTrendText', () => {
  it('draws the sparkline, outage and threshold marks, the time axis, a summary and a legend', () => {
    const events = [
      cycle(0, 0),
      cycle(2, 3),
      cycle(4, 6),
      cycle(6, 6, { endpoint_floor_unmet_cycles: 1 }),
      cycle(8, 7),
      cycle(10, 0),
      cycle(12, 1),
    ];
    const lines = renderTrendText(trendPoints(events), {
      width: 20,
      now: new Date(T0 + 20 * 60_000),
      threshold: 6,
      period: 'last 6h',
    });
    expect(lines).toEqual([
      `idle-cycle trend, last 6h: 7 cycles from ${at(0)}, one column ≈ 60s`,
      'idle   ▁ ▄ ▇ ▇ █ ▁ ▂       ',
      'marks      ^ ! ^',
      '       10:00Z        10:20Z',
      'now 1 consecutive idle cycle · peak 7 · alert at 6 · 4 idle cycles · 1 outage cycle (floor unmet) · last cycle 8m ago',
      'legend: ▁ counter 0 (a local lane ran) … █ 7; blank = no cycle; ! floor unmet (outage, counter held); ^ at or above the alert threshold',
    ]);
  });

  it('says so when there are no cycles in the period', () => {
    expect(
      renderTrendText([], { width: 30, now: new Date(T0), threshold: 6, period: 'last 1h' }),
    ).toEqual([
      'no cycle events in the last 1h: the guard has not completed a cycle in that period',
    ]);
  });

  it('labels the axis with dates when the period spans a day or more', () => {
    const lines = renderTrendText(trendPoints([cycle(0, 1)]), {
      width: 40,
      now: new Date(T0 + 2 * 86_400_000),
      threshold: 6,
      period: 'last 3d',
    });
    expect(lines[3]).toBe(`       06-01 10:00Z${'06-03 10:00Z'.padStart(40 - 12)}`);
  });
});

describe('trendJson', () => {
  it('uses the history field names', () => {
    const json = trendJson(
      trendPoints([cycle(0, 2, { anomalies: ['idle_while_endpoints_healthy'] })]),
      6,
      new Date(T0 - 3_600_000),
    );
    expect(json).toEqual({
      since: new Date(T0 - 3_600_000).toISOString(),
      idle_alert_threshold_cycles: 6,
      summary: {
        cycles: 1,
        current: 2,
        peak: 2,
        idle_cycles: 1,
        outage_cycles: 0,
        first_at: at(0),
        last_at: at(0),
      },
      points: [
        {
          ts: at(0),
          consecutive_idle_cycles: 2,
          local_running_after: 0,
          floor_unmet: false,
          anomalies: ['idle_while_endpoints_healthy'],
        },
      ],
    });
  });
});
