import { describe, expect, it } from 'vitest';
import { trendPoints } from '../../src/history/trend.js';
import { renderStatusPage } from '../../src/http/page/render.js';
import { renderTrendSvg, trendGeometry } from '../../src/http/page/trend-svg.js';
import { cycleEvent, pageInput } from './status-page-fixtures.js';

// The plot area: x from 40 to 700 (660 px), y from 10 (top of the scale) to 150 (0).
const points = (...events: Parameters<typeof cycleEvent>[]) =>
  trendPoints(events.map((e) => cycleEvent(...e)));

describe('idle trend SVG', () => {
  it('places each cycle by time and by its counter, the scale topped by the threshold', () => {
    const g = trendGeometry(points([180, 0], [120, 3], [0, 6]), 6);
    expect(g.scale).toBe(6);
    expect(g.line).toEqual([
      { x: 40, y: 150 },
      { x: 260, y: 80 },
      { x: 700, y: 10 },
    ]);
    expect(g.thresholdY).toBe(10);
    expect(g.outages).toEqual([]);
  });

  it('raises the scale to the peak when the counter passes the threshold', () => {
    const g = trendGeometry(points([60, 2], [0, 8]), 4);
    expect(g.scale).toBe(8);
    expect(g.line.map((p) => p.y)).toEqual([115, 10]);
    expect(g.thresholdY).toBe(80);
  });

  it('draws a lone cycle at the right edge', () => {
    const lone = trendGeometry(points([5, 1, { endpoint_floor_unmet_cycles: 1 }]), 6);
    expect(lone.line).toEqual([{ x: 700, y: 126.7 }]);
    expect(lone.outages).toMatchObject([{ x: 698, width: 2, cycles: 1 }]);
  });

  it('shades runs of outage cycles (floor unmet), reaching half-way to their neighbours', () => {
    const unmet = { endpoint_floor_unmet_cycles: 1 };
    const g = trendGeometry(
      points([240, 1], [180, 1, unmet], [120, 1, unmet], [60, 2], [0, 2, unmet]),
      6,
    );
    expect(g.outages).toEqual([
      { x: 122.5, width: 330, from: cycleEvent(180, 0).ts, to: cycleEvent(120, 0).ts, cycles: 2 },
      { x: 617.5, width: 82.5, from: cycleEvent(0, 0).ts, to: cycleEvent(0, 0).ts, cycles: 1 },
    ]);
  });

  it('renders the geometry as accessible SVG with labels', () => {
    const svg = String(
      renderTrendSvg(points([180, 0], [120, 3], [0, 6, { endpoint_floor_unmet_cycles: 1 }]), 6),
    );
    expect(svg).toContain('<polyline class="trend-line" points="40,150 260,80 700,10"/>');
    expect(svg).toContain('<line class="trend-threshold" x1="40" y1="10" x2="700" y2="10"/>');
    expect(svg).toContain('>alert at 6</text>');
    expect(svg).toMatch(
      /<rect class="trend-outage" x="480" y="10" width="220" height="140"><title>floor not met \(outage\), 1 cycle\(s\) from /,
    );
    expect(svg).toContain('role="img" aria-labelledby="trend-title trend-desc"');
    expect(svg).toContain(
      'now 6 consecutive idle cycles, peak 6, alert threshold 6, 1 outage cycles.</desc>',
    );
    expect(svg).toContain('<circle class="trend-now" cx="700" cy="10" r="3.5">');
  });

  it('says there is nothing to draw without cycles', () => {
    expect(String(renderTrendSvg([], 6))).toBe(
      '<p class="empty">No cycles recorded yet: the trend appears after the first cycle.</p>',
    );
  });

  it('the page draws the newest cycles of its history, other events ignored', () => {
    const events = [
      cycleEvent(300, 9),
      cycleEvent(120, 0),
      { ts: cycleEvent(100, 0).ts, type: 'lane_started', lane: 'a' },
      cycleEvent(60, 3),
      cycleEvent(0, 6),
    ];
    const html = renderStatusPage(pageInput({ events, trendCycles: 3, idleThreshold: 6 }));
    expect(html).toContain('<polyline class="trend-line" points="40,150 370,80 700,10"/>');
    expect(html).toContain('The last 3 cycles: now 6, peak 6, 2 idle, 0 outage cycles.');
  });
});
