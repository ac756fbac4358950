import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { guardDeps } from '../../src/cli/context.js';
import { loadConfig } from '../../src/config/load.js';
import { buildEndpointViews } from '../../src/core/fleet/view.js';
import { endpointView, forgetRemovedLanes } from '../../src/guard/cycle.js';
import { lane } from '../helpers/builders.js';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { atomicWriteJson } from '../../src/store/atomic.js';
import { FakeClock } from '../../src/util/clock.js';
import { useModelServer } from '../helpers/model-server.js';
import { tempDir } from '../helpers/tmp.js';

const models = useModelServer();
const OUT = 'artifacts/autonomy/local_models';

describe("the cycle's endpoint view", () => {
  it('a probe stamped in the future (clock went back, skewed writer) is not fresh: the endpoints are probed again', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.dead }],
      lanes: [],
      guard: { fleet_probe_interval_sec: 120 },
    });
    const clock = new FakeClock('2026-06-01T12:00:00.000Z');
    const future = '2026-06-01T13:00:00.000Z';
    // The last probe saw the endpoint healthy, "an hour from now".
    atomicWriteJson(path.join(root, OUT, 'fleet_status.json'), {
      timestamp: future,
      probe: {
        timestamp: future,
        summary: { endpoint_total: 1, endpoint_healthy: 1, endpoint_unhealthy: 0 },
        endpoints: [
          {
            id: 'lm',
            base_url: models.dead,
            enabled: true,
            ok: true,
            state: 'up',
            ready: true,
            healthy: true,
            probed_at: future,
          },
        ],
      },
      capability_scan: null,
    });
    const config = loadConfig({ root });
    const view = await endpointView(guardDeps(config, clock));
    expect(view.probe).not.toBeNull();
    const [lm] = buildEndpointViews(config.endpoints, view.status);
    expect(lm).toMatchObject({ id: 'lm', state: 'down' });
  });
});

describe('backoff memory of removed lanes', () => {
  const entry = {
    failures: 3,
    start_failures: 0,
    backoff_until: null,
    last_start_at: null,
    awaiting_exit: false,
  };
  it('is forgotten when the lane is no longer in the fleet', () => {
    const lanes = { kept: entry, errored: entry, gone: entry };
    const read = {
      lanes: [lane('kept')],
      errors: [{ id: 'errored', source: 'lane_read', error: 'x' }],
    };
    expect(Object.keys(forgetRemovedLanes(lanes, read))).toEqual(['kept', 'errored']);
  });
  it('is kept when the lane list itself could not be read', () => {
    const lanes = { gone: entry };
    expect(
      forgetRemovedLanes(lanes, {
        lanes: [],
        errors: [{ id: '*', source: 'lanes_file', error: 'x' }],
      }),
    ).toEqual(lanes);
  });
});
