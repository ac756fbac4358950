// Small pieces of markup shared by the status page sections.
import { escapeHtml as esc } from '../html.js';
import type { Badge } from './states.js';

/**
 * A state as words with a tone class: the colour only repeats what the label says. A state with a
 * runbook links to it, so the trouble and what to do about it are one click apart.
 */
export function badge(b: Badge): string {
  if (b.runbook) return `<a class="badge tone-${b.tone}" href="/runbooks/${encodeURIComponent(b.runbook)}" title="${esc(`${b.hint} (runbook: ${b.runbook})`)}">${esc(b.label)}</a>`;
  return `<span class="badge tone-${b.tone}" title="${esc(b.hint)}">${esc(b.label)}</span>`;
}

/** Runbooks are served by this same server at `/runbooks/<AlertName>`. */
export function runbookLink(alert: string, text = 'runbook'): string {
  return `<a class="runbook" href="/runbooks/${encodeURIComponent(alert)}">${esc(text)}</a>`;
}
