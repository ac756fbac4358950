// The idle-cycle trend of the status page as inline SVG: the counter over time, the alert threshold,
// outage (floor unmet) spans. Geometry is computed apart from markup so tests can check the numbers.
import { summarizeTrend, type TrendPoint } from '../../history/trend.js';
import { html, joinHtml, type SafeHtml } from '../html.js';

export const TREND_SIZE = {
  width: 720,
  height: 180,
  left: 40,
  right: 20,
  top: 10,
  bottom: 30,
} as const;

export interface TrendGeometry {
  /** Top of the y axis: the peak, at least the threshold (and at least 1). */
  scale: number;
  line: Array<{ x: number; y: number }>;
  thresholdY: number;
  /** Runs of consecutive outage cycles as horizontal spans. */
  outages: Array<{ x: number; width: number; from: string; to: string; cycles: number }>;
}

const round = (n: number): number => Math.round(n * 10) / 10;

export function trendGeometry(points: readonly TrendPoint[], threshold: number): TrendGeometry {
  const { width, height, left, right, top, bottom } = TREND_SIZE;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const scale = Math.max(1, threshold, ...points.map((p) => p.idle));
  const t0 = points[0]?.at ?? 0;
  const span = (points.at(-1)?.at ?? 0) - t0;
  const x = (at: number): number =>
    round(span > 0 ? left + ((at - t0) / span) * plotW : left + plotW);
  const y = (value: number): number => round(top + plotH - (Math.max(0, value) / scale) * plotH);
  const line = points.map((p) => ({ x: x(p.at), y: y(p.idle) }));

  // An outage span reaches half-way (in time) to the cycles before and after it; at the ends of
  // the series it reaches as far out as it reaches in, clipped to the plot.
  const xs = line.map((p) => p.x);
  const leftEdge = (i: number): number =>
    i > 0
      ? (xs[i - 1]! + xs[i]!) / 2
      : xs[i]! - (i + 1 < xs.length ? (xs[i + 1]! - xs[i]!) / 2 : 2);
  const rightEdge = (j: number): number =>
    j + 1 < xs.length
      ? (xs[j]! + xs[j + 1]!) / 2
      : xs[j]! + (j > 0 ? (xs[j]! - xs[j - 1]!) / 2 : 2);
  const outages: TrendGeometry['outages'] = [];
  for (let i = 0; i < points.length; i++) {
    if (!points[i]!.floorUnmet) continue;
    let j = i;
    while (j + 1 < points.length && points[j + 1]!.floorUnmet) j++;
    const from = Math.max(left, leftEdge(i));
    const to = Math.min(left + plotW, rightEdge(j));
    outages.push({
      x: round(from),
      width: round(Math.max(2, to - from)),
      from: points[i]!.ts,
      to: points[j]!.ts,
      cycles: j - i + 1,
    });
    i = j;
  }
  return { scale, line, thresholdY: y(threshold), outages };
}

function hhmm(iso: string): string {
  return `${iso.slice(11, 16)}Z`;
}

/** The SVG, or a sentence when there is nothing to draw. */
export function renderTrendSvg(points: readonly TrendPoint[], threshold: number): SafeHtml {
  if (points.length === 0)
    return html`<p class="empty">No cycles recorded yet: the trend appears after the first cycle.</p>`;
  const { width, height, left, right, top, bottom } = TREND_SIZE;
  const g = trendGeometry(points, threshold);
  const summary = summarizeTrend(points);
  const last = points.at(-1)!;
  const lastXY = g.line.at(-1)!;
  const plotRight = width - right;
  const baseY = height - bottom;
  const desc = `${points.length} cycles from ${points[0]!.ts} to ${last.ts}: now ${last.idle} consecutive idle cycles, peak ${summary.peak}, alert threshold ${threshold}, ${summary.outageCycles} outage cycles.`;
  const parts = [
    html`<svg class="trend" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="trend-title trend-desc" xmlns="http://www.w3.org/2000/svg">`,
    html`<title id="trend-title">Consecutive idle cycles over recent cycles</title>`,
    html`<desc id="trend-desc">${desc}</desc>`,
    ...g.outages.map(
      (o) =>
        html`<rect class="trend-outage" x="${o.x}" y="${top}" width="${o.width}" height="${baseY - top}"><title>${`floor not met (outage), ${o.cycles} cycle(s) from ${o.from} to ${o.to}`}</title></rect>`,
    ),
    html`<line class="trend-axis" x1="${left}" y1="${baseY}" x2="${plotRight}" y2="${baseY}"/>`,
    html`<line class="trend-axis" x1="${left}" y1="${top}" x2="${left}" y2="${baseY}"/>`,
    html`<line class="trend-threshold" x1="${left}" y1="${g.thresholdY}" x2="${plotRight}" y2="${g.thresholdY}"/>`,
    html`<text class="trend-label" x="${plotRight}" y="${Math.max(top + 10, g.thresholdY - 4)}" text-anchor="end">alert at ${threshold}</text>`,
    html`<text class="trend-label" x="${left - 6}" y="${top + 8}" text-anchor="end">${g.scale}</text>`,
    html`<text class="trend-label" x="${left - 6}" y="${baseY}" text-anchor="end">0</text>`,
    html`<polyline class="trend-line" points="${g.line.map((p) => `${p.x},${p.y}`).join(' ')}"/>`,
    html`<circle class="trend-now" cx="${lastXY.x}" cy="${lastXY.y}" r="3.5"><title>${`now: ${last.idle} at ${last.ts}`}</title></circle>`,
    html`<text class="trend-label" x="${left}" y="${height - 10}">${hhmm(points[0]!.ts)}</text>`,
    html`<text class="trend-label" x="${plotRight}" y="${height - 10}" text-anchor="end">${hhmm(last.ts)}</text>`,
    html`</svg>`,
  ];
  return joinHtml(parts, '\n');
}
