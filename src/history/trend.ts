// The idle-cycle trend: `cycle` history events → points, a summary, and a terminal chart. Pure.
import type { HistoryEvent } from './store.js';

export interface TrendPoint {
  ts: string;
  /** Epoch milliseconds of `ts`. */
  at: number;
  /** `consecutive_idle_cycles` after the cycle. */
  idle: number;
  /** Local lanes running after the cycle (null when the event lacks it). */
  running: number | null;
  /** The endpoint floor was not met: an outage cycle, the idle counter was held. */
  floorUnmet: boolean;
  anomalies: string[];
}

export interface TrendSummary {
  cycles: number;
  /** The idle counter after the newest cycle (null without cycles). */
  current: number | null;
  peak: number;
  /** Cycles with no local lane running while the floor was met. */
  idleCycles: number;
  outageCycles: number;
  firstAt: string | null;
  lastAt: string | null;
}

/** Points of every well-formed `cycle` event, oldest first. Other events and torn ones are ignored. */
export function trendPoints(events: readonly HistoryEvent[]): TrendPoint[] {
  const points: TrendPoint[] = [];
  for (const e of events) {
    if (e.type !== 'cycle') continue;
    const at = Date.parse(e.ts);
    const idle = e.consecutive_idle_cycles;
    if (Number.isNaN(at) || typeof idle !== 'number' || !Number.isFinite(idle)) continue;
    const anomalies = Array.isArray(e.anomalies)
      ? e.anomalies.filter((a): a is string => typeof a === 'string')
      : [];
    const unmet = e.endpoint_floor_unmet_cycles;
    points.push({
      ts: e.ts,
      at,
      idle,
      running: typeof e.local_running_after === 'number' ? e.local_running_after : null,
      floorUnmet:
        (typeof unmet === 'number' && unmet > 0) || anomalies.includes('endpoint_floor_not_met'),
      anomalies,
    });
  }
  return points.sort((a, b) => a.at - b.at);
}

export function summarizeTrend(points: readonly TrendPoint[]): TrendSummary {
  return {
    cycles: points.length,
    current: points.at(-1)?.idle ?? null,
    peak: points.reduce((m, p) => Math.max(m, p.idle), 0),
    idleCycles: points.filter((p) => p.running === 0 && !p.floorUnmet).length,
    outageCycles: points.filter((p) => p.floorUnmet).length,
    firstAt: points[0]?.ts ?? null,
    lastAt: points.at(-1)?.ts ?? null,
  };
}

export interface TrendColumn {
  /** Highest idle counter of the cycles in this time slice; null = no cycle in it. */
  peak: number | null;
  floorUnmet: boolean;
}

/** Split [first cycle, end] into `width` equal time slices; a gap (guard not running) stays empty. */
export function trendColumns(
  points: readonly TrendPoint[],
  width: number,
  end: Date,
): TrendColumn[] {
  const columns: TrendColumn[] = Array.from({ length: width }, () => ({
    peak: null,
    floorUnmet: false,
  }));
  const first = points[0];
  if (!first) return columns;
  const start = first.at;
  const span = Math.max(end.getTime(), points.at(-1)!.at) - start;
  for (const p of points) {
    const index =
      span <= 0 ? width - 1 : Math.min(width - 1, Math.floor(((p.at - start) / span) * width));
    const column = columns[index]!;
    column.peak = Math.max(column.peak ?? 0, p.idle);
    column.floorUnmet ||= p.floorUnmet;
  }
  return columns;
}

const LEVELS = '▁▂▃▄▅▆▇█';

/** One sparkline character: `▁` for 0 (a lane ran), up to `█` at the scale; a space for no cycle. */
export function levelChar(value: number | null, scale: number): string {
  if (value === null) return ' ';
  if (value <= 0) return LEVELS[0]!;
  const level = Math.min(7, Math.max(1, Math.ceil((value / scale) * 7)));
  return LEVELS[level]!;
}

function clock(ms: number, withDate: boolean): string {
  const iso = new Date(ms).toISOString();
  return withDate ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}Z` : `${iso.slice(11, 16)}Z`;
}

function ago(ms: number): string {
  const sec = Math.max(0, Math.round(ms / 1000));
  if (sec < 90) return `${sec}s`;
  if (sec < 5400) return `${Math.round(sec / 60)}m`;
  return `${(sec / 3600).toFixed(1)}h`;
}

export interface TrendTextOptions {
  width: number;
  now: Date;
  /** `idle_alert_threshold_cycles`: columns at or above it are marked. */
  threshold: number;
  /** The period as asked, for the header: "last 6h", "period since 2026-06-01T00:00:00.000Z". */
  period: string;
}

/** The trend as lines for a terminal: header, sparkline, marks, time axis, summary and legend. */
export function renderTrendText(
  points: readonly TrendPoint[],
  options: TrendTextOptions,
): string[] {
  const { width, now, threshold } = options;
  const summary = summarizeTrend(points);
  if (points.length === 0)
    return [
      `no cycle events in the ${options.period}: the guard has not completed a cycle in that period`,
    ];
  const columns = trendColumns(points, width, now);
  const scale = Math.max(summary.peak, threshold, 1);
  const first = points[0]!.at;
  const end = Math.max(now.getTime(), points.at(-1)!.at);
  const slice = (end - first) / width;
  const label = (s: string): string => s.padEnd(7);
  const spark = columns.map((c) => levelChar(c.peak, scale)).join('');
  const marks = columns
    .map((c) => (c.floorUnmet ? '!' : c.peak !== null && c.peak >= threshold ? '^' : ' '))
    .join('');
  const withDate = end - first >= 86_400_000;
  const from = clock(first, withDate);
  const to = clock(end, withDate);
  const axis = from.length + to.length < width ? from + to.padStart(width - from.length) : from;
  const lines = [
    `idle-cycle trend, ${options.period}: ${summary.cycles} cycle${summary.cycles === 1 ? '' : 's'} from ${new Date(first).toISOString()}${slice > 0 ? `, one column ≈ ${ago(slice)}` : ''}`,
    `${label('idle')}${spark}`,
    `${label('marks')}${marks.trimEnd()}`,
    `${label('')}${axis}`,
    `now ${summary.current} consecutive idle cycle${summary.current === 1 ? '' : 's'} · peak ${summary.peak} · alert at ${threshold} · ${summary.idleCycles} idle cycle${summary.idleCycles === 1 ? '' : 's'} · ${summary.outageCycles} outage cycle${summary.outageCycles === 1 ? '' : 's'} (floor unmet) · last cycle ${ago(now.getTime() - points.at(-1)!.at)} ago`,
    `legend: ▁ counter 0 (a local lane ran) … █ ${scale}; blank = no cycle; ! floor unmet (outage, counter held); ^ at or above the alert threshold`,
  ];
  return lines;
}

/** `history trend --json`: the points and the summary, in the history's own field names. */
export function trendJson(points: readonly TrendPoint[], threshold: number, since: Date) {
  const s = summarizeTrend(points);
  return {
    since: since.toISOString(),
    idle_alert_threshold_cycles: threshold,
    summary: {
      cycles: s.cycles,
      current: s.current,
      peak: s.peak,
      idle_cycles: s.idleCycles,
      outage_cycles: s.outageCycles,
      first_at: s.firstAt,
      last_at: s.lastAt,
    },
    points: points.map((p) => ({
      ts: p.ts,
      consecutive_idle_cycles: p.idle,
      local_running_after: p.running,
      floor_unmet: p.floorUnmet,
      anomalies: p.anomalies,
    })),
  };
}
