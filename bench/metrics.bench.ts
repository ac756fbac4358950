// A scrape renders from memory. Baseline: JSON.stringify of the status data for the same fleet,
// the cheapest way to hand the same information out.
import { bench, describe } from 'vitest';
import { decide } from '../src/core/guard/policy.js';
import { conclude } from '../src/core/guard/conclude.js';
import type { CycleResult } from '../src/guard/cycle.js';
import { emptyOutcome } from '../src/guard/act.js';
import { buildReportSteps } from '../src/guard/report.js';
import { runToEnd } from '../src/core/steps.js';
import { publishCycle } from '../src/metrics/publish.js';
import { createMetrics } from '../src/metrics/registry.js';
import { renderMetrics } from '../src/metrics/render.js';
import { config, endpoints, lanes, NOW, state } from './fixtures.js';

const eps = endpoints(40);
const snapshot = lanes(1000, eps);
const plan = decide({
  lanes: snapshot,
  endpoints: eps,
  state,
  config,
  now: NOW,
  trigger: 'schedule',
});
const conclusion = conclude(
  plan,
  {
    startedOk: [],
    startFailed: [],
    otherFailures: 0,
    readErrors: 0,
    ensureRan: false,
    escalated: false,
  },
  state,
  NOW,
  config,
  { cycleId: 'c', dryRun: false },
);
const notRun = { ran: false, ok: null, exit_code: null };
// The report as the cycle builds it, so this bench follows the report's shape.
const report = runToEnd(
  buildReportSteps({
    cycleId: 'c',
    at: NOW.toISOString(),
    trigger: 'schedule',
    mode: 'autonomous',
    dryRun: false,
    plan,
    outcome: emptyOutcome(),
    readErrors: [],
    conclusion,
    ensure: notRun,
    escalate: notRun,
    durationMs: 10,
    onlyLanes: null,
    notes: [],
  }),
);
const result = {
  report,
  state: conclusion.state,
  plan,
  conclusion,
  lanes: snapshot,
  laneErrors: [],
  endpoints: eps,
  fleetStatus: null,
  probe: null,
} as unknown as CycleResult;
const metrics = createMetrics({ version: 'bench', defaultMetrics: false });
publishCycle(metrics, result, NOW);

describe('scrape of a 1000-lane fleet', () => {
  bench('baseline: JSON.stringify(lanes)', () => {
    JSON.stringify(snapshot);
  });
  bench('render /metrics (text format)', async () => {
    await renderMetrics(metrics, false);
  });
  bench('publishCycle (after each cycle)', () => {
    publishCycle(metrics, result, NOW);
  });
});
