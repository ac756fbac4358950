// `GET /`: the status page as one server-rendered document. Pure: data in, HTML out.
import type { HistoryEvent } from '../../history/store.js';
import { crashLooping, startFailing } from '../../core/guard/backoff.js';
import { trendPoints } from '../../history/trend.js';
import { html, joinHtml, type SafeHtml } from '../html.js';
import type { StatusView } from '../status-view.js';
import { clockTime } from './format.js';
import { endpointsSection, lanesSection } from './sections-fleet.js';
import {
  anomaliesSection,
  eventsSection,
  summarySection,
  trendSection,
  type PageCycle,
} from './sections-guard.js';
import type { PageEndpoint, PageLane } from './states.js';
import { PAGE_STYLE } from './style.js';

/** The part of `/api/v1/status` the page shows (a `StatusView` fits it). */
export type PageStatus = Pick<
  StatusView,
  'version' | 'mode' | 'ready' | 'started_at' | 'lane_errors' | 'last_cycle_error'
> & {
  anomalies: readonly string[];
  endpoints: PageEndpoint[];
  lanes: PageLane[];
  last_cycle: PageCycle | null;
  /** The guard state: its lane memory names the lanes of lane_crash_loop and start_failing. */
  state?: Pick<NonNullable<StatusView['state']>, 'lanes'> | null;
};

export interface StatusPageInput {
  status: PageStatus;
  /** Recent history events, oldest first. */
  events: readonly HistoryEvent[];
  historyError: string | null;
  now: Date;
  /** Seconds between the page's own reloads. */
  refreshSec: number;
  /** `idle_alert_threshold_cycles`. */
  idleThreshold: number;
  /** Cycles drawn in the trend (the newest). */
  trendCycles?: number;
  /** Non-cycle events listed (the newest). */
  eventLimit?: number;
}

/** The whole document as markup (the route sends it; tests read it as text with `String()`). */
export function statusPageHtml(input: StatusPageInput): SafeHtml {
  const { status, now } = input;
  const points = trendPoints(input.events).slice(-(input.trendCycles ?? 120));
  const cycle = status.last_cycle;
  const title = cycle
    ? `${cycle.local_running_after} of ${cycle.local_lane_total} local lanes running`
    : 'waiting for the first cycle';
  return joinHtml(
    [
      html`<!doctype html>`,
      html`<html lang="en">`,
      html`<head>`,
      html`<meta charset="utf-8">`,
      html`<meta name="viewport" content="width=device-width, initial-scale=1">`,
      html`<meta http-equiv="refresh" content="${input.refreshSec}">`,
      html`<title>laneguard · ${title}</title>`,
      html`<style>${PAGE_STYLE}</style>`,
      html`</head>`,
      html`<body>`,
      html`<header>`,
      html`<h1>laneguard</h1>`,
      html`<span class="sub">version ${status.version} · mode <strong>${status.mode}</strong> · serving since <time datetime="${status.started_at}">${clockTime(status.started_at, now)}</time></span>`,
      html`<nav aria-label="machine-readable views"><a href="/metrics">/metrics</a><a href="/api/v1/status">/api/v1/status</a><a href="/api/v1/history">/api/v1/history</a></nav>`,
      html`</header>`,
      html`<main>`,
      summarySection(
        cycle,
        status.last_cycle_error,
        input.idleThreshold,
        now,
        status.lanes.some((l) => l.local && l.pause_held && l.work.pending + l.work.queued > 0),
      ),
      anomaliesSection(
        status.anomalies,
        status.ready,
        status.state
          ? {
              lane_crash_loop: crashLooping(status.state),
              start_failing: startFailing(status.state),
            }
          : {},
      ),
      endpointsSection(status.endpoints, now),
      lanesSection(status.lanes, status.lane_errors, status.ready),
      trendSection(points, input.idleThreshold),
      eventsSection(input.events, now, input.eventLimit ?? 25, input.historyError),
      html`</main>`,
      html`<footer>Rendered <time datetime="${now.toISOString()}">${clockTime(now.toISOString(), now)}</time>; this page reloads itself every ${input.refreshSec} s.</footer>`,
      html`</body>`,
      html`</html>`,
      html``,
    ],
    '\n',
  );
}

/** The document as the text sent to the browser. */
export function renderStatusPage(input: StatusPageInput): string {
  return statusPageHtml(input).toString();
}
