import { Router } from 'express';
import { renderMetricsChunks } from '../../metrics/render.js';
import { TimeSlicer } from '../../util/slice.js';
import type { GuardPort } from '../port.js';

/** Prometheus text format, or OpenMetrics when the scraper asks for it. Memory only. */
export function metricsRoute(service: GuardPort): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    const openMetrics = /application\/openmetrics-text/.test(req.get('accept') ?? '');
    const { contentType, chunks } = await renderMetricsChunks(service.metrics, openMetrics);
    res.set('content-type', contentType);
    // Written piece by piece, not with res.send: at 10,000 lanes the body is ~9 MB, and encoding it
    // plus hashing it for an ETag in one go would hold the event loop for tens of milliseconds.
    const slicer = new TimeSlicer();
    for (const chunk of chunks) {
      res.write(chunk);
      await slicer.tick();
    }
    res.end();
  });
  return router;
}
