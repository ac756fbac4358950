// Endpoint and lane tables of the status page. Every value goes through escapeHtml.
import { escapeHtml as esc } from '../html.js';
import { formatAge, secondsSince, shorten } from './format.js';
import { badge } from './markup.js';
import { endpointBadge, laneBadges, skipText, type PageEndpoint, type PageLane } from './states.js';

function num(n: number): string {
  return `<td class="num">${esc(n)}</td>`;
}

export function endpointsSection(endpoints: readonly PageEndpoint[], now: Date): string {
  const rows = endpoints.map((e) => {
    const state = endpointBadge(e);
    const probed = secondsSince(e.probed_at, now);
    const { configured, effective } = e.max_parallel;
    return [
      `<tr data-endpoint="${esc(e.id)}">`,
      `<th scope="row">${esc(e.id)}<div class="sub">${esc(e.base_url)}</div></th>`,
      `<td>${esc(e.kind)}</td>`,
      `<td class="endpoint-state">${badge(state)}</td>`,
      `<td class="endpoint-healthy">${e.healthy ? badge({ label: 'healthy', tone: 'ok', hint: 'counts for decisions (hysteresis applied)' }) : badge({ label: 'unhealthy', tone: 'bad', hint: 'not counted as healthy for decisions' })}</td>`,
      `<td class="num">${e.latency_ms === null ? '-' : `${esc(Math.round(e.latency_ms))} ms`}</td>`,
      num(e.models.length),
      `<td class="num">${esc(effective)}${effective !== configured ? ` <span class="sub">of ${esc(configured)}</span>` : ''}</td>`,
      `<td>${probed === null ? 'never' : `${esc(formatAge(probed))} ago`}</td>`,
      `<td class="error">${e.error ? esc(shorten(e.error, 160)) : ''}</td>`,
      '</tr>',
    ].join('');
  });
  return [
    '<section id="endpoints" aria-labelledby="endpoints-h">',
    `<h2 id="endpoints-h">Endpoints <span class="count">${esc(endpoints.filter((e) => e.healthy).length)} of ${esc(endpoints.length)} healthy</span></h2>`,
    endpoints.length === 0
      ? '<p class="empty">No endpoints configured.</p>'
      : [
          '<div class="scroll"><table>',
          '<thead><tr><th scope="col">endpoint</th><th scope="col">kind</th><th scope="col">state</th><th scope="col">health</th><th scope="col">latency</th><th scope="col">models</th><th scope="col">lanes max</th><th scope="col">probed</th><th scope="col">error</th></tr></thead>',
          `<tbody>${rows.join('\n')}</tbody>`,
          '</table></div>',
        ].join('\n'),
    '</section>',
  ].join('\n');
}

function pauseCell(lane: PageLane): string {
  if (!lane.paused) return '<td class="pause">-</td>';
  const message = lane.pause_message ?? '';
  return `<td class="pause"><span class="age">${esc(formatAge(lane.pause_age_sec))}</span>${message ? ` <q class="pause-message">${esc(shorten(message, 200))}</q>` : ' <span class="sub">(no message)</span>'}</td>`;
}

export function lanesSection(lanes: readonly PageLane[], laneErrors: ReadonlyArray<{ id: string; source: string; error: string }>, ready: boolean): string {
  const rows = lanes.map((l) => {
    const reason = l.reason ? `<span class="reason">${esc(skipText(l.reason))}</span> <code>${esc(l.reason)}</code>` : '';
    return [
      `<tr data-lane="${esc(l.id)}">`,
      `<th scope="row">${esc(l.id)}<div class="sub">${esc(l.owner)}</div></th>`,
      `<td class="lane-state">${laneBadges(l).map(badge).join(' ')}</td>`,
      pauseCell(l),
      num(l.work.pending),
      num(l.work.in_progress),
      num(l.work.blocked),
      num(l.work.queued),
      num(l.work.done),
      `<td class="lane-reason">${reason}</td>`,
      '</tr>',
    ].join('');
  });
  const errors = laneErrors.length === 0 ? '' : `<ul class="lane-errors">${laneErrors.map((e) => `<li><strong>${esc(e.id)}</strong> could not be read (${esc(e.source)}): ${esc(shorten(e.error, 240))}</li>`).join('')}</ul>`;
  const running = lanes.filter((l) => l.running).length;
  let body: string;
  if (!ready) body = '<p class="empty">Lanes appear after the first cycle.</p>';
  else if (lanes.length === 0) body = '<p class="empty">No lanes configured.</p>';
  else {
    body = [
      '<div class="scroll"><table>',
      '<thead><tr><th scope="col">lane</th><th scope="col">state</th><th scope="col">pause (age, message)</th><th scope="col">pending</th><th scope="col">in progress</th><th scope="col">blocked</th><th scope="col">queued</th><th scope="col">done</th><th scope="col">last cycle: why not started</th></tr></thead>',
      `<tbody>${rows.join('\n')}</tbody>`,
      '</table></div>',
    ].join('\n');
  }
  return [
    '<section id="lanes" aria-labelledby="lanes-h">',
    `<h2 id="lanes-h">Lanes${ready ? ` <span class="count">${esc(running)} of ${esc(lanes.length)} running</span>` : ''}</h2>`,
    body,
    errors,
    '</section>',
  ].join('\n');
}
