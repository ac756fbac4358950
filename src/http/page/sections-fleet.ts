// Endpoint and lane tables of the status page. Markup is built with `html`, which escapes every value.
import { html, joinHtml, type SafeHtml } from '../html.js';
import { formatAge, secondsSince, shorten } from './format.js';
import { badge } from './markup.js';
import { serverLoadCell } from './server-load.js';
import { endpointBadge, laneBadges, skipText, type PageEndpoint, type PageLane } from './states.js';

function num(n: number): SafeHtml {
  return html`<td class="num">${n}</td>`;
}

const HEALTHY = badge({
  label: 'healthy',
  tone: 'ok',
  hint: 'counts for decisions (hysteresis applied)',
});
const UNHEALTHY = badge({
  label: 'unhealthy',
  tone: 'bad',
  hint: 'not counted as healthy for decisions',
});

export function endpointsSection(endpoints: readonly PageEndpoint[], now: Date): SafeHtml {
  const rows = endpoints.map((e) => {
    const probed = secondsSince(e.probed_at, now);
    const { configured, effective } = e.max_parallel;
    return joinHtml([
      html`<tr data-endpoint="${e.id}">`,
      html`<th scope="row">${e.id}<div class="sub">${e.base_url}</div></th>`,
      html`<td>${e.kind}</td>`,
      html`<td class="endpoint-state">${badge(endpointBadge(e))}</td>`,
      html`<td class="endpoint-healthy">${e.healthy ? HEALTHY : UNHEALTHY}</td>`,
      html`<td class="num">${e.latency_ms === null ? '-' : `${Math.round(e.latency_ms)} ms`}</td>`,
      num(e.models.length),
      html`<td class="num">${effective}${effective !== configured && html` <span class="sub">of ${configured}</span>`}</td>`,
      serverLoadCell(e.load),
      html`<td>${probed === null ? 'never' : `${formatAge(probed)} ago`}</td>`,
      html`<td class="error">${e.error ? shorten(e.error, 160) : ''}</td>`,
      html`</tr>`,
    ]);
  });
  return joinHtml(
    [
      html`<section id="endpoints" aria-labelledby="endpoints-h">`,
      html`<h2 id="endpoints-h">Endpoints <span class="count">${endpoints.filter((e) => e.healthy).length} of ${endpoints.length} healthy</span></h2>`,
      endpoints.length === 0
        ? html`<p class="empty">No endpoints configured.</p>`
        : joinHtml(
            [
              html`<div class="scroll"><table class="endpoints">`,
              html`<thead><tr><th scope="col">endpoint</th><th scope="col">kind</th><th scope="col">state</th><th scope="col">health</th><th scope="col">latency</th><th scope="col">models</th><th scope="col">lanes max</th><th scope="col">server load</th><th scope="col">probed</th><th scope="col">error</th></tr></thead>`,
              html`<tbody>${joinHtml(rows, '\n')}</tbody>`,
              html`</table></div>`,
            ],
            '\n',
          ),
      html`</section>`,
    ],
    '\n',
  );
}

function pauseCell(lane: PageLane): SafeHtml {
  if (!lane.paused) return html`<td class="pause">-</td>`;
  const message = lane.pause_message ?? '';
  return html`<td class="pause"><span class="age">${formatAge(lane.pause_age_sec)}</span>${message ? html` <q class="pause-message">${shorten(message, 200)}</q>` : html` <span class="sub">(no message)</span>`}</td>`;
}

export function lanesSection(
  lanes: readonly PageLane[],
  laneErrors: ReadonlyArray<{ id: string; source: string; error: string }>,
  ready: boolean,
): SafeHtml {
  const rows = lanes.map((l) => {
    const reason =
      l.reason && html`<span class="reason">${skipText(l.reason)}</span> <code>${l.reason}</code>`;
    return joinHtml([
      html`<tr data-lane="${l.id}">`,
      html`<th scope="row">${l.id}<div class="sub">${l.owner}</div></th>`,
      html`<td class="lane-state">${joinHtml(laneBadges(l).map(badge), ' ')}</td>`,
      pauseCell(l),
      num(l.work.pending),
      num(l.work.in_progress),
      num(l.work.blocked),
      num(l.work.queued),
      num(l.work.done),
      html`<td class="lane-reason">${reason}</td>`,
      html`</tr>`,
    ]);
  });
  const errors =
    laneErrors.length > 0 &&
    html`<ul class="lane-errors">${laneErrors.map((e) => html`<li><strong>${e.id}</strong> could not be read (${e.source}): ${shorten(e.error, 240)}</li>`)}</ul>`;
  const running = lanes.filter((l) => l.running).length;
  let body: SafeHtml;
  if (!ready) body = html`<p class="empty">Lanes appear after the first cycle.</p>`;
  else if (lanes.length === 0) body = html`<p class="empty">No lanes configured.</p>`;
  else {
    body = joinHtml(
      [
        html`<div class="scroll"><table class="lanes">`,
        html`<thead><tr><th scope="col">lane</th><th scope="col">state</th><th scope="col">pause (age, message)</th><th scope="col" class="num">pending</th><th scope="col" class="num">in progress</th><th scope="col" class="num">blocked</th><th scope="col" class="num">queued</th><th scope="col" class="num">done</th><th scope="col">last cycle: why not started</th></tr></thead>`,
        html`<tbody>${joinHtml(rows, '\n')}</tbody>`,
        html`</table></div>`,
      ],
      '\n',
    );
  }
  return joinHtml(
    [
      html`<section id="lanes" aria-labelledby="lanes-h">`,
      html`<h2 id="lanes-h">Lanes${ready && html` <span class="count">${running} of ${lanes.length} running</span>`}</h2>`,
      body,
      errors,
      html`</section>`,
    ],
    '\n',
  );
}
