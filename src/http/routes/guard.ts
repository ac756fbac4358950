import type { NextFunction, Request, Response } from 'express';
import type { GuardPort } from '../port.js';
import { checkAuthorization, hasCredentials } from '../auth.js';
import { closeIfBodyPending } from '../request-guards.js';

/**
 * Require the webhook token (or basic auth) for a state-changing route: `/api/v1/cycle` and
 * `/-/reload` alike, on every listener (SIGHUP reloads without any).
 */
export function requireAuth(service: GuardPort) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const result = checkAuthorization(req.get('authorization'), service.credentials);
    if (result === 'ok') return next();
    closeIfBodyPending(req, res);
    if (result === 'unconfigured') {
      res.status(403).json({
        error: 'auth_unconfigured',
        message: 'no token configured: set server.token_file or LANEGUARD_WEBHOOK_TOKEN',
      });
      return;
    }
    res.set(
      'www-authenticate',
      hasCredentials(service.credentials) && service.credentials.basic
        ? 'Basic realm="laneguard"'
        : 'Bearer realm="laneguard"',
    );
    res.status(401).json({
      error: 'unauthorized',
      message: result === 'missing' ? 'missing Authorization header' : 'invalid credentials',
    });
  };
}
