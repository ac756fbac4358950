// Guard summary, anomalies, idle trend and recent events of the status page. Markup is built with
// `html`, which escapes every value.
import type { CycleReport } from '../../guard/report.js';
import type { HistoryEvent } from '../../history/store.js';
import { summarizeTrend, type TrendPoint } from '../../history/trend.js';
import { html, joinHtml, type SafeHtml } from '../html.js';
import { clockTime, eventDetails, formatAge, secondsSince, shorten } from './format.js';
import { anomalyInfo, type Tone } from './states.js';
import { runbookLink } from './markup.js';
import { renderTrendSvg } from './trend-svg.js';

export type PageCycle = Pick<
  CycleReport,
  | 'timestamp'
  | 'trigger'
  | 'dry_run'
  | 'local_lane_total'
  | 'local_running_after'
  | 'healthy_endpoint_count'
  | 'consecutive_idle_cycles'
  | 'endpoint_floor_unmet_cycles'
  | 'floor_met'
  | 'idle_while_demand'
  | 'started_count'
  | 'unpaused_count'
  | 'failed_count'
>;

function headline(cycle: PageCycle | null, heldWork: boolean): { tone: Tone; text: string } {
  if (!cycle) return { tone: 'info', text: 'Waiting for the first cycle' };
  if (!cycle.floor_met)
    return {
      tone: 'bad',
      text: 'Endpoint floor not met: recovery is held until enough endpoints are healthy',
    };
  if (cycle.idle_while_demand) return { tone: 'bad', text: 'Idle while work is waiting' };
  // Work an operator holds is not demand: say so rather than "no work".
  if (cycle.local_running_after === 0 && heldWork)
    return {
      tone: 'info',
      text: 'No local lane running (the only work left is held by an operator)',
    };
  if (cycle.local_running_after === 0)
    return { tone: 'warn', text: 'No local lane running (no work waiting)' };
  return {
    tone: 'ok',
    text: `${cycle.local_running_after} of ${cycle.local_lane_total} local lanes running`,
  };
}

export function summarySection(
  cycle: PageCycle | null,
  lastCycleError: string | null,
  threshold: number,
  now: Date,
  heldWork = false,
): SafeHtml {
  const head = headline(cycle, heldWork);
  const figures: Array<[string, SafeHtml]> = [];
  if (cycle) {
    const age = secondsSince(cycle.timestamp, now);
    figures.push(
      [
        'last cycle',
        html`<time datetime="${cycle.timestamp}">${clockTime(cycle.timestamp, now)}</time> (${formatAge(age)} ago, ${cycle.trigger}${cycle.dry_run && ', dry run'})`,
      ],
      ['local lanes running', html`${cycle.local_running_after} of ${cycle.local_lane_total}`],
      ['healthy endpoints', html`${cycle.healthy_endpoint_count}`],
      [
        'consecutive idle cycles',
        html`${cycle.consecutive_idle_cycles} <span class="sub">(alert at ${threshold})</span>`,
      ],
      ['outage cycles (floor unmet)', html`${cycle.endpoint_floor_unmet_cycles}`],
      [
        'last cycle acted',
        html`started ${cycle.started_count}, unpaused ${cycle.unpaused_count}, failed ${cycle.failed_count}`,
      ],
    );
  }
  return joinHtml(
    [
      html`<section id="summary" aria-label="guard summary">`,
      html`<p class="headline tone-${head.tone}" role="status">${head.text}</p>`,
      lastCycleError
        ? html`<p class="cycle-error"><strong>The last cycle failed:</strong> ${shorten(lastCycleError, 400)}</p>`
        : '',
      figures.length > 0 &&
        html`<dl class="figures">${figures.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`,
      html`</section>`,
    ],
    '\n',
  );
}

export function anomaliesSection(
  anomalies: readonly string[],
  ready: boolean,
  lanesOf: Readonly<Record<string, readonly string[]>> = {},
): SafeHtml {
  let body: SafeHtml;
  if (!ready)
    body = html`<p class="empty">None known yet: anomalies are concluded by the first cycle.</p>`;
  else if (anomalies.length === 0) body = html`<p class="empty ok-text">No active anomalies.</p>`;
  else {
    body = html`<ul class="anomalies">${anomalies.map((a) => {
      const info = anomalyInfo(a);
      const lanes = lanesOf[a] ?? [];
      return html`<li data-anomaly="${a}"><span class="badge tone-bad">${a}</span> ${info.text}${lanes.length > 0 && html`: lane ${lanes.join(', ')}`}${info.alert && html` · alert <code>${info.alert}</code> ${runbookLink(info.alert)}`}</li>`;
    })}</ul>`;
  }
  return joinHtml(
    [
      html`<section id="anomalies" aria-labelledby="anomalies-h">`,
      html`<h2 id="anomalies-h">Active anomalies</h2>`,
      body,
      html`</section>`,
    ],
    '\n',
  );
}

export function trendSection(points: readonly TrendPoint[], threshold: number): SafeHtml {
  const s = summarizeTrend(points);
  const plural = (n: number, word: string): string => `${word}${n === 1 ? '' : 's'}`;
  const caption =
    s.cycles > 0 &&
    html`<p class="sub">The last ${s.cycles} ${plural(s.cycles, 'cycle')}: now ${s.current}, peak ${s.peak}, ${s.idleCycles} idle, ${s.outageCycles} outage ${plural(s.outageCycles, 'cycle')}. The dashed line is the alert threshold; shaded spans are outages (endpoint floor not met: the counter is held). Terminal: <code>laneguard history trend</code>.</p>`;
  return joinHtml(
    [
      html`<section id="trend" aria-labelledby="trend-h">`,
      html`<h2 id="trend-h">Idle-cycle trend</h2>`,
      renderTrendSvg(points, threshold),
      caption,
      html`</section>`,
    ],
    '\n',
  );
}

/** The newest events first, without `cycle` summaries (the trend and the summary show those). */
export function eventsSection(
  events: readonly HistoryEvent[],
  now: Date,
  limit: number,
  historyError: string | null,
): SafeHtml {
  const shown = events
    .filter((e) => e.type !== 'cycle')
    .slice(-limit)
    .reverse();
  const rows = shown.map((e) => {
    const lane = typeof e.lane === 'string' ? e.lane : '';
    return html`<tr data-event="${e.type}"><td><time datetime="${e.ts}">${clockTime(e.ts, now)}</time></td><td><code>${e.type}</code></td><td>${lane}</td><td class="details">${eventDetails(e)}</td></tr>`;
  });
  return joinHtml(
    [
      html`<section id="events" aria-labelledby="events-h">`,
      html`<h2 id="events-h">Latest events</h2>`,
      historyError && html`<p class="cycle-error">${historyError}</p>`,
      shown.length === 0
        ? html`<p class="empty">No events yet.</p>`
        : html`<div class="scroll"><table class="events"><thead><tr><th scope="col">time</th><th scope="col">event</th><th scope="col">lane</th><th scope="col">details</th></tr></thead><tbody>${joinHtml(rows, '\n')}</tbody></table></div>`,
      html`<p class="sub">Cycle summaries are drawn in the trend above; every event: <a href="/api/v1/history">/api/v1/history</a> or <code>laneguard history</code>.</p>`,
      html`</section>`,
    ],
    '\n',
  );
}
