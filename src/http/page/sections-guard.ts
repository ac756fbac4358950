// Guard summary, anomalies, idle trend and recent events of the status page. Every value is escaped.
import type { CycleReport } from '../../guard/report.js';
import type { HistoryEvent } from '../../history/store.js';
import { summarizeTrend, type TrendPoint } from '../../history/trend.js';
import { escapeHtml as esc } from '../html.js';
import { clockTime, eventDetails, formatAge, secondsSince, shorten } from './format.js';
import { anomalyInfo, type Tone } from './states.js';
import { runbookLink } from './markup.js';
import { renderTrendSvg } from './trend-svg.js';

export type PageCycle = Pick<
  CycleReport,
  'timestamp' | 'trigger' | 'dry_run' | 'local_lane_total' | 'local_running_after' | 'healthy_endpoint_count' | 'consecutive_idle_cycles' | 'endpoint_floor_unmet_cycles' | 'floor_met' | 'idle_while_demand' | 'started_count' | 'unpaused_count' | 'failed_count'
>;

function headline(cycle: PageCycle | null): { tone: Tone; text: string } {
  if (!cycle) return { tone: 'info', text: 'Waiting for the first cycle' };
  if (!cycle.floor_met) return { tone: 'bad', text: 'Endpoint floor not met: recovery is held until enough endpoints are healthy' };
  if (cycle.idle_while_demand) return { tone: 'bad', text: 'Idle while work is waiting' };
  if (cycle.local_running_after === 0) return { tone: 'warn', text: 'No local lane running (no work waiting)' };
  return { tone: 'ok', text: `${cycle.local_running_after} of ${cycle.local_lane_total} local lanes running` };
}

export function summarySection(cycle: PageCycle | null, lastCycleError: string | null, threshold: number, now: Date): string {
  const head = headline(cycle);
  const figures: Array<[string, string]> = [];
  if (cycle) {
    const age = secondsSince(cycle.timestamp, now);
    figures.push(
      ['last cycle', `<time datetime="${esc(cycle.timestamp)}">${esc(clockTime(cycle.timestamp, now))}</time> (${esc(formatAge(age))} ago, ${esc(cycle.trigger)}${cycle.dry_run ? ', dry run' : ''})`],
      ['local lanes running', `${esc(cycle.local_running_after)} of ${esc(cycle.local_lane_total)}`],
      ['healthy endpoints', esc(cycle.healthy_endpoint_count)],
      ['consecutive idle cycles', `${esc(cycle.consecutive_idle_cycles)} <span class="sub">(alert at ${esc(threshold)})</span>`],
      ['outage cycles (floor unmet)', esc(cycle.endpoint_floor_unmet_cycles)],
      ['last cycle acted', `started ${esc(cycle.started_count)}, unpaused ${esc(cycle.unpaused_count)}, failed ${esc(cycle.failed_count)}`],
    );
  }
  return [
    '<section id="summary" aria-label="guard summary">',
    `<p class="headline tone-${head.tone}" role="status">${esc(head.text)}</p>`,
    lastCycleError ? `<p class="cycle-error"><strong>The last cycle failed:</strong> ${esc(shorten(lastCycleError, 400))}</p>` : '',
    figures.length ? `<dl class="figures">${figures.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${v}</dd></div>`).join('')}</dl>` : '',
    '</section>',
  ].join('\n');
}

export function anomaliesSection(anomalies: readonly string[], ready: boolean): string {
  let body: string;
  if (!ready) body = '<p class="empty">None known yet: anomalies are concluded by the first cycle.</p>';
  else if (anomalies.length === 0) body = '<p class="empty ok-text">No active anomalies.</p>';
  else {
    body = `<ul class="anomalies">${anomalies
      .map((a) => {
        const info = anomalyInfo(a);
        return `<li data-anomaly="${esc(a)}"><span class="badge tone-bad">${esc(a)}</span> ${esc(info.text)}${info.alert ? ` · alert <code>${esc(info.alert)}</code> ${runbookLink(info.alert)}` : ''}</li>`;
      })
      .join('')}</ul>`;
  }
  return ['<section id="anomalies" aria-labelledby="anomalies-h">', `<h2 id="anomalies-h">Active anomalies</h2>`, body, '</section>'].join('\n');
}

export function trendSection(points: readonly TrendPoint[], threshold: number): string {
  const s = summarizeTrend(points);
  const caption = s.cycles === 0 ? '' : `<p class="sub">The last ${esc(s.cycles)} cycle${s.cycles === 1 ? '' : 's'}: now ${esc(s.current)}, peak ${esc(s.peak)}, ${esc(s.idleCycles)} idle, ${esc(s.outageCycles)} outage cycle${s.outageCycles === 1 ? '' : 's'}. The dashed line is the alert threshold; shaded spans are outages (endpoint floor not met: the counter is held). Terminal: <code>laneguard history trend</code>.</p>`;
  return ['<section id="trend" aria-labelledby="trend-h">', '<h2 id="trend-h">Idle-cycle trend</h2>', renderTrendSvg(points, threshold), caption, '</section>'].join('\n');
}

/** The newest events first, without `cycle` summaries (the trend and the summary show those). */
export function eventsSection(events: readonly HistoryEvent[], now: Date, limit: number, historyError: string | null): string {
  const shown = events.filter((e) => e.type !== 'cycle').slice(-limit).reverse();
  const rows = shown.map((e) => {
    const lane = typeof e.lane === 'string' ? e.lane : '';
    return `<tr data-event="${esc(e.type)}"><td><time datetime="${esc(e.ts)}">${esc(clockTime(e.ts, now))}</time></td><td><code>${esc(e.type)}</code></td><td>${esc(lane)}</td><td class="details">${esc(eventDetails(e))}</td></tr>`;
  });
  return [
    '<section id="events" aria-labelledby="events-h">',
    '<h2 id="events-h">Latest events</h2>',
    historyError ? `<p class="cycle-error">${esc(historyError)}</p>` : '',
    shown.length === 0
      ? '<p class="empty">No events yet.</p>'
      : `<div class="scroll"><table><thead><tr><th scope="col">time</th><th scope="col">event</th><th scope="col">lane</th><th scope="col">details</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></div>`,
    '<p class="sub">Cycle summaries are drawn in the trend above; every event: <a href="/api/v1/history">/api/v1/history</a> or <code>laneguard history</code>.</p>',
    '</section>',
  ].join('\n');
}
