import { Router } from 'express';
import type { GuardPort } from '../port.js';

export function healthRoutes(service: GuardPort): Router {
  const router = Router();
  router.get('/-/healthy', (_req, res) => {
    res.type('text/plain').send('laneguard is healthy\n');
  });
  router.get('/-/ready', (_req, res) => {
    if (service.ready) res.type('text/plain').send('laneguard is ready\n');
    else
      res
        .status(503)
        .type('text/plain')
        .send('laneguard is not ready: no guard cycle has completed yet\n');
  });
  return router;
}
