// Small pieces of markup shared by the status page sections.
import { html, type SafeHtml } from '../html.js';
import type { Badge } from './states.js';

/**
 * A state as words with a tone class: the colour only repeats what the label says. A state with a
 * runbook links to it, so the trouble and what to do about it are one click apart.
 */
export function badge(b: Badge): SafeHtml {
  if (b.runbook)
    return html`<a class="badge tone-${b.tone}" href="/runbooks/${encodeURIComponent(b.runbook)}" title="${`${b.hint} (runbook: ${b.runbook})`}">${b.label}</a>`;
  return html`<span class="badge tone-${b.tone}" title="${b.hint}">${b.label}</span>`;
}

/** Runbooks are served by this same server at `/runbooks/<AlertName>`. */
export function runbookLink(alert: string, text = 'runbook'): SafeHtml {
  return html`<a class="runbook" href="/runbooks/${encodeURIComponent(alert)}">${text}</a>`;
}
