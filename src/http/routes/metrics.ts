import { Router } from 'express';
import { metricsContentType, writeMetrics } from '../../metrics/render.js';
import { foreground } from '../../util/slice.js';
import type { GuardPort } from '../port.js';

/** Prometheus text format, or OpenMetrics when the scraper asks for it. Memory only. */
export function metricsRoute(service: GuardPort): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    const openMetrics = /application\/openmetrics-text/.test(req.get('accept') ?? '');
    res.set('content-type', metricsContentType(openMetrics));
    // Sent chunk by chunk as written, not with res.send: at 10,000 lanes the body is ~9 MB, and
    // holding, encoding and hashing it for an ETag in one go held the event loop for tens of ms.
    // Headers wait for the first chunk, so a render that fails still answers 500. A cycle running
    // meanwhile waits at its next yield until the body is written (foreground work, util/slice.ts).
    await foreground.run(() =>
      writeMetrics(service.metrics, openMetrics, (chunk) => {
        if (!res.destroyed) res.write(chunk);
      }),
    );
    res.end();
  });
  return router;
}
