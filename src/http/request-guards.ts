// Guards every request passes before a route: the Host a loopback listener answers to, the Origin a
// state-changing request may come from, and closing the connection of a refused request whose body
// is still arriving.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The host part of a Host header or URL authority (`[::1]:9477` → `::1`, `localhost:80` → `localhost`). */
export function hostOf(authority: string): string {
  const text = authority.trim().toLowerCase();
  const v6 = /^\[([^\]]*)\](?::\d*)?$/.exec(text);
  if (v6) return v6[1]!;
  return text.replace(/:\d*$/, '').replace(/\.$/, '');
}

/** Names a loopback listener answers to: `localhost` (and `*.localhost`, RFC 6761), 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    /^127(\.\d{1,3}){3}$/.test(host)
  );
}

/** Why a request is refused before any route: an error code and a message for the operator. */
export interface Refusal {
  error: 'host_not_allowed' | 'cross_origin';
  message: string;
}

/** A refusal answer: 403, JSON, and the connection closed after it. Plain Node: no framework needed. */
export function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  const text = JSON.stringify(refusal);
  res.writeHead(403, {
    connection: 'close',
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * On a loopback listener, a request whose Host is another name is refused: a page on another site
 * can point its own DNS name at 127.0.0.1 (DNS rebinding), but it cannot make the browser send a
 * loopback Host. A request without Host (HTTP/1.0 tools) is not a browser's and passes.
 */
export function hostRefusal(headers: IncomingHttpHeaders): Refusal | null {
  const host = headers.host;
  if (host === undefined || isLoopbackHost(hostOf(host))) return null;
  return {
    error: 'host_not_allowed',
    message:
      'this server listens on loopback and answers only to localhost or a loopback address in the Host header',
  };
}

/**
 * A state-changing request (anything but GET, HEAD, OPTIONS) sent by a browser from another origin
 * is refused: its Origin must name this server's own Host. Alertmanager, curl and scripts send no
 * Origin and are judged by their credentials alone.
 */
export function originRefusal(method: string, headers: IncomingHttpHeaders): Refusal | null {
  if (SAFE_METHODS.has(method)) return null;
  const fetchSite = headers['sec-fetch-site'];
  if (fetchSite === 'cross-site' || fetchSite === 'same-site')
    return { error: 'cross_origin', message: `a ${method} from another site is refused` };
  const origin = headers.origin;
  if (origin === undefined) return null;
  let originHost: string | null = null;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    // `Origin: null` (sandboxed frames, file: pages) and garbage are other origins.
  }
  if (originHost !== null && originHost === (headers.host ?? '').toLowerCase()) return null;
  return { error: 'cross_origin', message: `a ${method} from another origin is refused` };
}

/** Both guards, in the order the app runs them: the Host (loopback listeners only), then the Origin. */
export function requestRefusal(
  req: IncomingMessage,
  options: { loopback?: boolean },
): Refusal | null {
  return (
    (options.loopback ? hostRefusal(req.headers) : null) ??
    originRefusal(req.method ?? 'GET', req.headers)
  );
}

/** The Host guard as app middleware. */
export function loopbackHostOnly() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const refusal = hostRefusal(req.headers);
    if (refusal === null) next();
    else sendRefusal(res, refusal);
  };
}

/** The Origin guard as app middleware. */
export function sameOriginWrites() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const refusal = originRefusal(req.method, req.headers);
    if (refusal === null) next();
    else sendRefusal(res, refusal);
  };
}

/**
 * How long a refused request's body may take to finish arriving once the answer is out. A body that
 * is merely split across TCP segments (a pipelining client) completes within it; a dripping one
 * does not.
 */
export const REFUSED_BODY_GRACE_MS = 500;

/**
 * Refused before its body arrived (no or wrong credentials): close the connection right after the
 * answer instead of reading a slow body to its end. A body that arrives whole within
 * REFUSED_BODY_GRACE_MS keeps its connection.
 */
export function closeIfBodyPending(req: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => {
    if (req.complete) return;
    // Judged after one more poll phase (setImmediate): on a starved event loop the timer fires
    // before the bytes already waiting in the socket have been read.
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (!req.complete) req.socket.destroy();
      });
    }, REFUSED_BODY_GRACE_MS);
    timer.unref();
  });
}
