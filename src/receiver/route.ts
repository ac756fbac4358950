// POST /alertmanager/webhook: auth → content type → body (limit) → payload → decide and record →
// answer 200 with counts → start the work. Every 4xx is recorded with its reason.
//
// Plain Node, not an app route: the server hands this path straight to the handler (after the
// same Host and Origin guards as every route), so an alert does not pass the app's router,
// request decoration and body parser on its way. Alertmanager sends calls in bursts (a group per
// receiver and interval, retries, and every member of an HA cluster sends its own), and at 2,000
// calls a second the router layers and the body parser were about a fifth of what each one cost.
//
// From the parsed body to the answer, a call is foreground work (util/slice.ts): a cycle running
// meanwhile waits at its next yield until the answer is written, as it does for a scrape. The body
// is read before that, so a client slow to send it never holds a cycle up.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkAuthorization } from '../http/auth.js';
import type { FrontRoute } from '../http/front.js';
import type { GuardPort } from '../http/port.js';
import { closeIfBodyPending } from '../http/request-guards.js';
import { foreground } from '../util/slice.js';
import { readBody } from './body.js';
import { rejection, rejectionBody, type WebhookRejection } from './errors.js';
import { checkContentType } from './payload.js';
import { PayloadMemo } from './payload-memo.js';
import { WebhookReceiver } from './receiver.js';

export const WEBHOOK_PATH = '/alertmanager/webhook';

function authRejection(req: IncomingMessage, service: GuardPort): WebhookRejection | null {
  const result = checkAuthorization(req.headers.authorization, service.credentials);
  if (result === 'ok') return null;
  if (result === 'unconfigured') return rejection('AUTH_UNCONFIGURED');
  return rejection(result === 'missing' ? 'AUTH_MISSING' : 'AUTH_INVALID');
}

function sendJson(
  res: ServerResponse,
  status: number,
  value: object,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(value);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The webhook as a front route (http/front.ts): every method on its path comes here. */
export function receiverRoutes(service: GuardPort): FrontRoute {
  const receiver = new WebhookReceiver(service);
  const payloads = new PayloadMemo();

  const reject = (res: ServerResponse, r: WebhookRejection): void => {
    receiver.rejected(r);
    if (res.headersSent) return;
    const headers: Record<string, string> = {};
    if (r.status === 401)
      headers['www-authenticate'] = service.credentials.basic
        ? 'Basic realm="laneguard"'
        : 'Bearer realm="laneguard"';
    if (r.status === 405) headers.allow = 'POST';
    sendJson(res, r.status, rejectionBody(r), headers);
  };

  const post = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const auth = authRejection(req, service);
    if (auth) {
      closeIfBodyPending(req, res);
      return reject(res, auth);
    }
    const contentType = checkContentType(req.headers['content-type']);
    if (contentType) return reject(res, contentType);
    const read = await readBody(req, res, service.config.guard.server.body_limit_bytes);
    if ('rejection' in read) return reject(res, read.rejection);
    const decision = await foreground.run(async () => {
      const parsed = payloads.parse(read.body);
      if (!parsed.ok) return void reject(res, parsed.rejection);
      const accepted = await receiver.accept(parsed.payload);
      sendJson(res, 200, accepted.counts);
      return accepted;
    });
    if (decision) receiver.dispatch(decision.work);
  };

  return {
    path: WEBHOOK_PATH,
    handle: (req, res) => {
      if (req.method !== 'POST') return reject(res, rejection('METHOD_NOT_ALLOWED'));
      return post(req, res);
    },
  };
}
