// POST /alertmanager/webhook: auth → content type → body (limit) → payload → decide and record →
// answer 200 with counts → start the work. Every 4xx is recorded with its reason.
//
// From the parsed body to the answer, a call is foreground work (util/slice.ts): a cycle running
// meanwhile waits at its next yield until the answer is written, as it does for a scrape.
// Alertmanager sends calls in bursts (a group per receiver and interval, retries); each one is
// answered after a fraction of a millisecond of work, where a cycle slice would add 4 ms or more.
// The body is read before that, so a client slow to send it never holds a cycle up.
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { checkAuthorization } from '../http/auth.js';
import { closeIfBodyPending } from '../http/request-guards.js';
import { foreground } from '../util/slice.js';
import type { GuardPort } from '../http/port.js';
import { rejection, rejectionBody, type WebhookRejection } from './errors.js';
import { checkContentType, parsePayload } from './payload.js';
import { WebhookReceiver } from './receiver.js';

export const WEBHOOK_PATH = '/alertmanager/webhook';

function authRejection(req: Request, service: GuardPort): WebhookRejection | null {
  const result = checkAuthorization(req.get('authorization'), service.credentials);
  if (result === 'ok') return null;
  if (result === 'unconfigured') return rejection('AUTH_UNCONFIGURED');
  return rejection(result === 'missing' ? 'AUTH_MISSING' : 'AUTH_INVALID');
}

/** The body parser for the configured limit (made again only when a reload changes it). */
let parser: { limit: number; parse: RequestHandler } | null = null;

function rawParser(limit: number): RequestHandler {
  if (parser?.limit !== limit) parser = { limit, parse: express.raw({ type: () => true, limit }) };
  return parser.parse;
}

/** Read the raw body under the configured limit; body-parser errors become catalogue rejections. */
function readBody(
  req: Request,
  res: Response,
  limit: number,
): Promise<{ body: Buffer } | { rejection: WebhookRejection }> {
  return new Promise((resolve) => {
    rawParser(limit)(req, res, (err?: unknown) => {
      if (!err) return resolve({ body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0) });
      const e = err as { type?: string; message?: string };
      if (e.type === 'entity.too.large')
        return resolve({ rejection: rejection('BODY_TOO_LARGE', `limit ${limit} bytes`) });
      resolve({
        rejection: rejection(
          'BODY_UNREADABLE',
          e.type === 'encoding.unsupported'
            ? 'unsupported Content-Encoding'
            : (e.type ?? 'read error'),
        ),
      });
    });
  });
}

/**
 * 200 with the counts as JSON, written directly: Alertmanager ignores the body, and express's
 * `res.json` would also hash it for an ETag, which no client of a POST can use.
 */
function answer(res: Response, counts: object): void {
  const text = JSON.stringify(counts);
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function receiverRoutes(service: GuardPort): Router {
  const router = Router();
  const receiver = new WebhookReceiver(service);

  const reject = (res: Response, r: WebhookRejection): void => {
    receiver.rejected(r);
    if (r.status === 401)
      res.set(
        'www-authenticate',
        service.credentials.basic ? 'Basic realm="laneguard"' : 'Bearer realm="laneguard"',
      );
    if (r.status === 405) res.set('allow', 'POST');
    if (!res.headersSent) res.status(r.status).json(rejectionBody(r));
  };

  router.post(WEBHOOK_PATH, async (req, res) => {
    const auth = authRejection(req, service);
    if (auth) {
      closeIfBodyPending(req, res);
      return reject(res, auth);
    }
    const contentType = checkContentType(req.get('content-type'));
    if (contentType) return reject(res, contentType);
    const read = await readBody(req, res, service.config.guard.server.body_limit_bytes);
    if ('rejection' in read) return reject(res, read.rejection);
    const decision = await foreground.run(async () => {
      const parsed = parsePayload(read.body);
      if (!parsed.ok) return void reject(res, parsed.rejection);
      const accepted = await receiver.accept(parsed.payload);
      answer(res, accepted.counts);
      return accepted;
    });
    if (decision) receiver.dispatch(decision.work);
  });

  router.all(WEBHOOK_PATH, (_req, res) => reject(res, rejection('METHOD_NOT_ALLOWED')));
  return router;
}
