import { Router } from 'express';
import type { GuardPort } from '../port.js';
import { readRecentHistory } from '../page/recent-history.js';
import { renderStatusPage } from '../page/render.js';
import { statusView } from '../status-view.js';

/** The page reloads about once per guard cycle, never faster than 5 s nor slower than 30 s. */
export function refreshSeconds(intervalSec: number): number {
  return Math.min(30, Math.max(5, Math.round(intervalSec)));
}

/**
 * Defence in depth behind escaping: the page needs no script, so none may run; only the inline
 * sheet is allowed. (The `/metrics` rule of memory-only reads does not bind this page: it reads the
 * tail of the history file for the trend and the events.)
 */
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** `GET /`: the status page (see docs/status-page.md). */
export function statusPageRoute(service: GuardPort): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const { config } = service;
    const history = await readRecentHistory(config.paths.history, config.guard.history.keep_files);
    const html = renderStatusPage({
      status: statusView(service),
      events: history.events,
      historyError: history.error,
      now: service.clock.now(),
      refreshSec: refreshSeconds(config.guard.interval_sec),
      idleThreshold: config.guard.idle_alert_threshold_cycles,
    });
    res.set({
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    });
    res.type('html').send(html);
  });
  return router;
}
