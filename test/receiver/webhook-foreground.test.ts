// A webhook call, from its parsed body to its answer, is foreground work (util/slice.ts): a cycle
// running meanwhile waits at its next yield. A call refused before its body is read never is.
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ModelServer } from '../../src/sandbox/model-server.js';
import { foreground } from '../../src/util/slice.js';
import { alert, postAlerts, receiverFixture, starvedLane } from './helpers.js';

let server: ModelServer;
beforeAll(async () => {
  server = await new ModelServer().start();
});
afterAll(async () => server.stop());
afterEach(() => vi.restoreAllMocks());

const fleet = () => ({
  endpoints: [{ id: 'lm', base_url: server.baseUrl, max_parallel: 4 }],
  lanes: [starvedLane('lane-a', server.baseUrl)],
  guard: { mode: 'alert' },
});

describe('webhook calls are foreground work', () => {
  it('the alert is decided and recorded while cycles give way, and the call leaves the foreground once answered', async () => {
    const f = receiverFixture(fleet());
    const busyWhenRecorded: boolean[] = [];
    const append = f.service.history.append.bind(f.service.history);
    vi.spyOn(f.service.history, 'append').mockImplementation((type, fields) => {
      if (type === 'alert_received') busyWhenRecorded.push(foreground.busy);
      return append(type, fields);
    });
    const enter = vi.spyOn(foreground, 'enter');
    const lane = alert({
      fingerprint: 'fg00000000000001',
      labels: {
        alertname: 'LaneguardLanesStarved',
        laneguard_action: 'recover_lane',
        lane: 'lane-a',
      },
    });
    // recover_lane lists the lanes inside the call: that read must not wait for the call itself.
    expect(await postAlerts(f, [lane, alert({ fingerprint: 'fg00000000000002' })])).toMatchObject({
      accepted: 2,
    });
    expect(busyWhenRecorded).toEqual([true, true]);
    expect(enter).toHaveBeenCalledTimes(1);
    expect(foreground.busy).toBe(false);
    await f.settle();
  });

  it('a call refused before its body is read never enters the foreground', async () => {
    const f = receiverFixture(fleet());
    const enter = vi.spyOn(foreground, 'enter');
    const res = await request(f.app)
      .post('/alertmanager/webhook')
      .set('authorization', 'Bearer wrong-token')
      .set('content-type', 'application/json')
      .send('{}');
    expect(res.status).toBe(401);
    expect(enter).not.toHaveBeenCalled();
    expect(foreground.busy).toBe(false);
  });
});
