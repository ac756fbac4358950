// A GuardPort without a fleet: the config of a sandbox root (no model server, no lane process), and
// cycle/ensure/reload that only record their calls. Route tests use it to pin what the HTTP layer
// does with a request; the service's own suites cover what a cycle does.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import type { CycleRequest, CycleResult } from '../../src/guard/cycle.js';
import type { EnsureResult } from '../../src/guard/ensure.js';
import { loadCredentials } from '../../src/http/auth.js';
import type { GuardPort } from '../../src/http/port.js';
import { createMetrics } from '../../src/metrics/registry.js';
import { buildSandboxRoot, type SandboxRootSpec } from '../../src/sandbox/root.js';
import { FakeClock } from '../../src/util/clock.js';
import { tempDir } from './tmp.js';

export interface PortStub extends GuardPort {
  root: string;
  calls: {
    cycles: CycleRequest[];
    ensures: string[];
    reloads: string[];
    events: Array<{ type: string; fields: Record<string, unknown> }>;
  };
}

export function portStub(
  spec: SandboxRootSpec = { endpoints: [], lanes: [] },
  options: { token?: string } = {},
): PortStub {
  const root = tempDir();
  const guard: Record<string, unknown> = { ...spec.guard };
  if (options.token)
    guard.server = { ...(guard.server as object | undefined), token_file: 'config/webhook.token' };
  buildSandboxRoot(root, { ...spec, guard });
  if (options.token) writeFileSync(path.join(root, 'config/webhook.token'), `${options.token}\n`);
  const config = loadConfig({ root, env: {} });
  const clock = new FakeClock('2026-06-01T12:00:00Z');
  const calls: PortStub['calls'] = { cycles: [], ensures: [], reloads: [], events: [] };
  return {
    root,
    calls,
    config,
    credentials: loadCredentials(config, {}),
    metrics: createMetrics({ version: '0.0.0-test', defaultMetrics: false }),
    clock,
    startedAt: clock.now(),
    ready: false,
    lastResult: null,
    lastCycleError: null,
    fleetStatus: null,
    runner: { busy: false },
    history: {
      append: (type: string, fields: Record<string, unknown> = {}) =>
        void calls.events.push({ type, fields }),
    } as unknown as GuardPort['history'],
    endpointViews: () => [],
    cycle: async (request) => {
      calls.cycles.push(request);
      return { cycleId: `stub-${calls.cycles.length}` } as unknown as CycleResult;
    },
    ensure: async (trigger): Promise<EnsureResult> => {
      calls.ensures.push(trigger);
      return { ran: true, ok: true, exit_code: 0, skipped: null };
    },
    reload: (source) => {
      calls.reloads.push(source);
      return { ok: true };
    },
  };
}
