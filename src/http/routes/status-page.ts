import { Router } from 'express';
import type { GuardService } from '../../serve/service.js';
import { escapeHtml } from '../html.js';
import { statusView } from '../status-view.js';

/** A minimal status page; the full page (trend, events, auto-refresh) lives in the status-page module. */
export function statusPageRoute(service: GuardService): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    const view = statusView(service);
    const rows = view.lanes.map((l) => `<tr><td>${escapeHtml(l.id)}</td><td>${l.running ? 'running' : 'stopped'}</td><td>${escapeHtml(l.pause_message ?? '')}</td></tr>`).join('');
    res.type('html').send(`<!doctype html><meta charset="utf-8"><title>laneguard</title><h1>laneguard</h1><table>${rows}</table>`);
  });
  return router;
}
