// Which catalogue action an alert asks for, and whether it is meant for this host. Pure.

import { ALERT_ACTIONS, type AlertAction } from '../../domain/catalogues.js';

export type WebhookAction = AlertAction;

export const ACTION_LABEL = 'laneguard_action';

export interface WebhookRoute {
  match: Readonly<Record<string, string>>;
  action: WebhookAction;
}

export type ActionMatch =
  | { action: WebhookAction; source: 'label' | 'route'; route: number | null }
  | { action: null; reason: 'unknown_action' | 'no_action' };

function isAction(value: string): value is WebhookAction {
  return (ALERT_ACTIONS as readonly string[]).includes(value);
}

/**
 * The alert's `laneguard_action` label wins; an unknown value there is ignored, never passed on to
 * the routes (the alert asked for something laneguard does not do). Without the label, the first
 * route whose every `match` label equals the alert's decides.
 */
export function matchAction(
  labels: Readonly<Record<string, string>>,
  routes: readonly WebhookRoute[],
): ActionMatch {
  const requested = labels[ACTION_LABEL];
  if (requested !== undefined) {
    return isAction(requested)
      ? { action: requested, source: 'label', route: null }
      : { action: null, reason: 'unknown_action' };
  }
  const index = routes.findIndex((r) =>
    Object.entries(r.match).every(([name, value]) => labels[name] === value),
  );
  const route = routes[index];
  return route
    ? { action: route.action, source: 'route', route: index }
    : { action: null, reason: 'no_action' };
}

function splitHostPort(value: string): { host: string; port: string | null } {
  const v = value.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(v);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ?? null };
  const colons = v.split(':').length - 1;
  if (colons === 1) {
    const [host = '', port = ''] = v.split(':');
    return { host, port: /^\d+$/.test(port) ? port : null };
  }
  return { host: v, port: null };
}

/**
 * Whether an alert's `instance` label names this host (`webhook.instance`). A configured value with
 * a port must match host and port; without a port, the host part of the label must match.
 */
export function sameInstance(label: string, configured: string): boolean {
  const mine = splitHostPort(configured);
  const theirs = splitHostPort(label);
  if (mine.host !== theirs.host) return false;
  return mine.port === null || mine.port === theirs.port;
}
