import express, { type NextFunction, type Request, type Response } from 'express';
import type { GuardPort } from './port.js';
import { loopbackHostOnly, sameOriginWrites } from './request-guards.js';
import { apiRoutes } from './routes/api.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoute } from './routes/metrics.js';
import { runbookRoutes } from './routes/runbooks.js';
import { statusPageRoute } from './routes/status-page.js';

/** Extra routers mounted by later parts (the Alertmanager receiver). */
export type RouteModule = (service: GuardPort) => express.Router;

export interface AppOptions {
  /** The listener is on a loopback address: refuse requests whose Host is not a loopback name. */
  loopback?: boolean;
}

/** Build the HTTP app for a service. No listen() here: tests drive it in-process. */
export function createApp(
  service: GuardPort,
  extra: RouteModule[] = [],
  options: AppOptions = {},
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  if (options.loopback) app.use(loopbackHostOnly());
  app.use(sameOriginWrites());
  // The receiver first: Alertmanager's calls come in bursts, and every router a request passes
  // on its way costs it (the routes' paths do not overlap, so the order changes nothing else).
  for (const module of extra) app.use(module(service));
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
  return app;
}
