// The HTTP layer against a stub port: what each route does with a request, without a fleet.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { receiverRoutes } from '../../src/receiver/route.js';
import { portStub } from '../helpers/port-stub.js';
import { alert, payload } from '../receiver/helpers.js';

const TOKEN = 'port-stub-token-0123';
const bearer = `Bearer ${TOKEN}`;
const fleet = {
  endpoints: [],
  lanes: [{ id: 'alpha', urls: ['http://127.0.0.1:9/v1'], pending: 1 }],
};

describe('routes over the GuardPort (no fleet behind them)', () => {
  it('readiness follows the port', async () => {
    const port = portStub(fleet);
    await request(createApp(port)).get('/-/ready').expect(503);
    await request(createApp({ ...port, ready: true }))
      .get('/-/ready')
      .expect(200);
  });

  it('POST /api/v1/cycle asks the port for one manual cycle, and only with credentials', async () => {
    const port = portStub(fleet, { token: TOKEN });
    const app = createApp(port);
    await request(app).post('/api/v1/cycle').expect(401);
    expect(port.calls.cycles).toEqual([]);
    await request(app).post('/api/v1/cycle?dry_run=1').set('authorization', bearer).expect(202);
    expect(port.calls.cycles).toEqual([{ trigger: 'manual', dryRun: true }]);
  });

  it('a recover alert becomes one alert cycle; the same alert again is a duplicate', async () => {
    const port = portStub({ ...fleet, guard: { mode: 'hybrid' } }, { token: TOKEN });
    const app = createApp(port, [receiverRoutes]);
    const body = payload([alert()]);
    await request(app)
      .post('/alertmanager/webhook')
      .set('authorization', bearer)
      .send(body)
      .expect(200);
    await request(app)
      .post('/alertmanager/webhook')
      .set('authorization', bearer)
      .send(body)
      .expect(200);
    expect(port.calls.cycles).toHaveLength(1);
    expect(port.calls.cycles[0]).toMatchObject({ trigger: 'alert' });
    expect(port.calls.events.map((e) => e.type)).toContain('alert_received');
  });

  it('a recover_lane alert limits the cycle to that lane; an ensure alert asks for ensure', async () => {
    const port = portStub({ ...fleet, guard: { mode: 'hybrid' } }, { token: TOKEN });
    const app = createApp(port, [receiverRoutes]);
    const lane = alert({
      labels: {
        alertname: 'LaneguardLanesStarved',
        laneguard_action: 'recover_lane',
        lane: 'alpha',
      },
      fingerprint: '1111aaaa2222bbbb',
    });
    await request(app)
      .post('/alertmanager/webhook')
      .set('authorization', bearer)
      .send(payload([lane]))
      .expect(200);
    expect(port.calls.cycles).toEqual([
      expect.objectContaining({ trigger: 'alert', onlyLanes: ['alpha'] }),
    ]);
    const ensure = alert({
      labels: { laneguard_action: 'ensure' },
      fingerprint: '3333cccc4444dddd',
    });
    await request(app)
      .post('/alertmanager/webhook')
      .set('authorization', bearer)
      .send(payload([ensure]))
      .expect(200);
    expect(port.calls.ensures).toEqual(['alert']);
  });

  it('without the token the receiver answers 401 and asks the port for nothing', async () => {
    const port = portStub({ ...fleet, guard: { mode: 'hybrid' } }, { token: TOKEN });
    const app = createApp(port, [receiverRoutes]);
    await request(app)
      .post('/alertmanager/webhook')
      .send(payload([alert()]))
      .expect(401);
    expect(port.calls.cycles).toEqual([]);
    expect(port.calls.ensures).toEqual([]);
  });
});
