import { Router } from 'express';
import { renderMetrics } from '../../metrics/render.js';
import type { GuardPort } from '../port.js';

/** Prometheus text format, or OpenMetrics when the scraper asks for it. Memory only. */
export function metricsRoute(service: GuardPort): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    const openMetrics = /application\/openmetrics-text/.test(req.get('accept') ?? '');
    const { contentType, body } = await renderMetrics(service.metrics, openMetrics);
    res.set('content-type', contentType);
    res.send(body);
  });
  return router;
}
