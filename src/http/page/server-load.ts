// The server-load cell of the endpoint table: what the model server says it is doing.
import type { EndpointLoad } from '../../domain/types.js';
import { html, type SafeHtml } from '../html.js';

/** "2 running, 1 waiting; slots 2 busy / 2 idle", or "not reported" (unknown is not idle). */
export function serverLoadCell(load: EndpointLoad | null | undefined): SafeHtml {
  if (!load) return html`<td class="server-load"><span class="sub">not reported</span></td>`;
  const parts: string[] = [];
  if (load.running !== null) parts.push(`${load.running} running`);
  if (load.waiting !== null) parts.push(`${load.waiting} waiting`);
  const slots = load.slots && `slots ${load.slots.busy} busy / ${load.slots.idle} idle`;
  const busy = (load.running ?? load.slots?.busy ?? 0) > 0 || (load.waiting ?? 0) > 0;
  return html`<td class="server-load" data-busy="${busy ? 'yes' : 'no'}">${parts.join(', ')}${parts.length > 0 && slots ? '; ' : ''}${slots || ''}</td>`;
}
