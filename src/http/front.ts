// The server's request listener: a few hot paths answered by plain handlers in front of the app.
// A front route gets the same Host and Origin guards as the app's routes, and its path is matched
// as the app's router matches it (case-insensitive, an optional trailing slash, the query ignored);
// everything else goes to the app.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { requestRefusal, sendRefusal } from './request-guards.js';

export interface FrontRoute {
  /** The one path it answers, every method (lower case, no trailing slash). */
  path: string;
  handle: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
}

/**
 * The path of a request URL as routes match it: no query, lower case, no trailing slash. A target in
 * absolute form (`http://host/path`, as sent to proxies) is matched by its path, as the app does.
 */
export function routePath(url: string | undefined): string {
  if (url === undefined || url === '') return '/';
  if (url.charCodeAt(0) !== 47 /* / */) {
    try {
      url = new URL(url).pathname;
    } catch {
      return url.toLowerCase();
    }
  }
  let end = url.indexOf('?');
  if (end < 0) end = url.length;
  if (end > 1 && url.charCodeAt(end - 1) === 47 /* / */) end--;
  return url.slice(0, end).toLowerCase();
}

/** A failed handler answers 500 (never its stack), as the app's error handler does. */
function internalError(res: ServerResponse): void {
  if (res.headersSent) return void res.destroy();
  const text = JSON.stringify({ error: 'internal_error', message: 'internal error' });
  res.writeHead(500, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function frontListener(
  app: RequestListener,
  routes: readonly FrontRoute[],
  options: { loopback?: boolean },
): RequestListener {
  if (routes.length === 0) return app;
  const byPath = new Map(routes.map((r) => [r.path, r]));
  return (req, res) => {
    const route = byPath.get(routePath(req.url));
    if (route === undefined) return void app(req, res);
    const refusal = requestRefusal(req, options);
    if (refusal !== null) return sendRefusal(res, refusal);
    try {
      const done = route.handle(req, res);
      if (done) done.catch(() => internalError(res));
    } catch {
      internalError(res);
    }
  };
}
