import type { NextFunction, Request, Response } from 'express';
import type { GuardPort } from '../port.js';
import { checkAuthorization, hasCredentials } from '../auth.js';

/**
 * Require the webhook token (or basic auth). `optionalWhenUnconfigured` lets a loopback-only server
 * without credentials accept the request (the server refuses a non-loopback bind without a token).
 */
export function requireAuth(service: GuardPort, optionalWhenUnconfigured = false) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const result = checkAuthorization(req.get('authorization'), service.credentials);
    if (result === 'ok' || (result === 'unconfigured' && optionalWhenUnconfigured)) return next();
    if (result === 'unconfigured') {
      res.status(403).json({ error: 'auth_unconfigured', message: 'no token configured: set server.token_file or LANEGUARD_WEBHOOK_TOKEN' });
      return;
    }
    res.set('www-authenticate', hasCredentials(service.credentials) && service.credentials.basic ? 'Basic realm="laneguard"' : 'Bearer realm="laneguard"');
    res.status(401).json({ error: 'unauthorized', message: result === 'missing' ? 'missing Authorization header' : 'invalid credentials' });
  };
}
