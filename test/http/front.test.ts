// The front routes: matched as the app's router matches paths, behind the same guards, and a
// failing handler answers 500 without its stack.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createApp } from '../../src/http/app.js';
import { routePath, type FrontRoute } from '../../src/http/front.js';
import { portStub } from '../helpers/port-stub.js';

function route(handle: FrontRoute['handle']): () => FrontRoute {
  return () => ({ path: '/front/hook', handle });
}

const answered = (_req: IncomingMessage, res: ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('front');
};

describe('front routes', () => {
  it.each([
    ['/front/hook', '/front/hook'],
    ['/front/hook/', '/front/hook'],
    ['/Front/HOOK?x=1', '/front/hook'],
    ['/front/hook/?', '/front/hook'],
    ['/', '/'],
    ['/front/hookx', '/front/hookx'],
    ['http://127.0.0.1:9477/front/hook?x', '/front/hook'],
    ['', '/'],
  ])('routePath(%s) = %s', (url, path) => {
    expect(routePath(url)).toBe(path);
  });

  it('answer their path whatever the case, slash or query; every other path goes to the app', async () => {
    const app = createApp(portStub(), [route(answered)]);
    for (const url of ['/front/hook', '/FRONT/hook/', '/front/hook?a=b'])
      expect((await request(app).get(url).expect(200)).text).toBe('front');
    await request(app).get('/front/hook/more').expect(404);
    await request(app).get('/-/healthy').expect(200);
  });

  it('are behind the Host and Origin guards', async () => {
    const app = createApp(portStub(), [route(answered)], { loopback: true });
    const refused = await request(app)
      .get('/front/hook')
      .set('host', 'attacker.example')
      .expect(403);
    expect(refused.body).toMatchObject({ error: 'host_not_allowed' });
    expect(refused.headers.connection).toBe('close');
    const cross = await request(app)
      .post('/front/hook')
      .set('origin', 'http://attacker.example')
      .expect(403);
    expect(cross.body).toMatchObject({ error: 'cross_origin' });
  });

  it('a handler that throws or rejects answers 500 internal_error, never its message', async () => {
    for (const handle of [
      () => {
        throw new Error('secret detail');
      },
      () => Promise.reject(new Error('secret detail')),
    ]) {
      const res = await request(createApp(portStub(), [route(handle)]))
        .get('/front/hook')
        .expect(500);
      expect(res.body).toEqual({ error: 'internal_error', message: 'internal error' });
      expect(res.text).not.toContain('secret');
    }
  });
});
