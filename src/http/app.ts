import type { RequestListener } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { frontListener, type FrontRoute } from './front.js';
import type { GuardPort } from './port.js';
import { loopbackHostOnly, sameOriginWrites } from './request-guards.js';
import { apiRoutes } from './routes/api.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoute } from './routes/metrics.js';
import { runbookRoutes } from './routes/runbooks.js';
import { statusPageRoute } from './routes/status-page.js';

/** Extra routes answered in front of the app by later parts (the Alertmanager receiver). */
export type RouteModule = (service: GuardPort) => FrontRoute;

export interface AppOptions {
  /** The listener is on a loopback address: refuse requests whose Host is not a loopback name. */
  loopback?: boolean;
}

/**
 * Build the server's request listener for a service: the front routes (`extra`), then the app. No
 * listen() here: tests drive it in-process.
 */
export function createApp(
  service: GuardPort,
  extra: RouteModule[] = [],
  options: AppOptions = {},
): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  if (options.loopback) app.use(loopbackHostOnly());
  app.use(sameOriginWrites());
  app.use(metricsRoute(service));
  app.use(healthRoutes(service));
  app.use(apiRoutes(service));
  app.use(runbookRoutes());
  app.use(statusPageRoute(service));
  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: 'not_found', message: `no route ${req.method} ${req.path}` });
  });
  // Errors never leak stack traces; body-parser errors keep their status (400, 413).
  app.use(
    (
      err: Error & { status?: number; type?: string },
      _req: Request,
      res: Response,
      _next: NextFunction,
    ) => {
      const status = err.status && err.status >= 400 && err.status < 600 ? err.status : 500;
      res.status(status).json({
        error: err.type ?? (status === 500 ? 'internal_error' : 'bad_request'),
        message: status === 500 ? 'internal error' : err.message,
      });
    },
  );
  return frontListener(
    app,
    extra.map((module) => module(service)),
    options,
  );
}
