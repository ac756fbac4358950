// The webhook body, read under the configured limit. A plain body (no Content-Encoding, as
// Alertmanager sends it) is collected here, straight from the socket; an encoded one (gzip, deflate,
// br) goes through the body parser, which inflates it and counts the limit after inflating.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type RequestHandler } from 'express';
import { rejection, type WebhookRejection } from './errors.js';

export type BodyRead = { body: Buffer } | { rejection: WebhookRejection };

const EMPTY = Buffer.alloc(0);

const tooLarge = (limit: number): BodyRead => ({
  rejection: rejection('BODY_TOO_LARGE', `limit ${limit} bytes`),
});
const unreadable = (detail: string): BodyRead => ({
  rejection: rejection('BODY_UNREADABLE', detail),
});

/** Read the raw body of `req` under `limit` bytes. */
export function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
): Promise<BodyRead> {
  const encoding = req.headers['content-encoding']?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') return readEncoded(req, res, limit);
  const declared = req.headers['content-length'];
  if (declared === undefined && req.headers['transfer-encoding'] === undefined)
    return Promise.resolve({ body: EMPTY });
  if (declared !== undefined && Number(declared) > limit) return discard(req, tooLarge(limit));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = (read: BodyRead | Promise<BodyRead>): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      resolve(read);
    };
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length <= limit) return void chunks.push(chunk);
      // Over the limit: nothing more is kept; the rest is read off before the answer, as the
      // body parser does, so the connection stays usable.
      finish(discard(req, tooLarge(limit)));
    };
    const onEnd = (): void =>
      finish({ body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length) });
    const onError = (): void => finish(unreadable('read error'));
    const onClose = (): void => {
      if (!req.complete) finish(unreadable('read error'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Read off the rest of the body, then answer `read`. */
function discard(req: IncomingMessage, read: BodyRead): Promise<BodyRead> {
  return new Promise((resolve) => {
    if (req.complete) return resolve(read);
    const done = (): void => resolve(read);
    req.once('end', done);
    req.once('close', done);
    req.once('error', done);
    req.resume();
  });
}

/** The body parser for the configured limit (made again only when a reload changes it). */
let parser: { limit: number; parse: RequestHandler } | null = null;

function readEncoded(req: IncomingMessage, res: ServerResponse, limit: number): Promise<BodyRead> {
  if (parser?.limit !== limit) parser = { limit, parse: express.raw({ type: () => true, limit }) };
  const parse = parser.parse;
  return new Promise((resolve) => {
    parse(req as express.Request, res as express.Response, (err?: unknown) => {
      const body = (req as { body?: unknown }).body;
      if (!err) return resolve({ body: Buffer.isBuffer(body) ? body : EMPTY });
      const e = err as { type?: string };
      if (e.type === 'entity.too.large') return resolve(tooLarge(limit));
      resolve(
        unreadable(
          e.type === 'encoding.unsupported'
            ? 'unsupported Content-Encoding'
            : (e.type ?? 'read error'),
        ),
      );
    });
  });
}
