import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { guardDeps } from '../../src/cli/context.js';
import { loadConfig } from '../../src/config/load.js';
import { runCycle } from '../../src/guard/cycle.js';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { useModelServer } from '../helpers/model-server.js';
import {
  circuitOpen,
  crashLooping,
  inBackoff,
  updateCircuit,
} from '../../src/core/guard/backoff.js';
import { loadGuardState } from '../../src/guard/state-store.js';
import { tempDir } from '../helpers/tmp.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const CIRCUIT = { failures: 5, window_sec: 600, open_sec: 900 };

describe('guard state file', () => {
  it('a malformed per-lane entry is dropped, not carried into every cycle', () => {
    const file = path.join(tempDir(), 'state.json');
    writeFileSync(
      file,
      JSON.stringify({
        consecutive_idle_cycles: 2,
        lanes: {
          gone: null,
          junk: 'x',
          odd: {
            failures: 'many',
            backoff_until: 12,
            last_start_at: 'not a time',
            awaiting_exit: 'yes',
          },
          good: {
            failures: 3,
            start_failures: 0,
            backoff_until: '2026-06-01T12:05:00.000Z',
            last_start_at: '2026-06-01T11:59:00.000Z',
            awaiting_exit: false,
          },
        },
      }),
    );
    const { state, error } = loadGuardState(file, NOW);
    expect(error).toBeNull();
    expect(state.consecutive_idle_cycles).toBe(2);
    // A null entry used to make crashLooping() throw in every cycle, before the state could be rewritten.
    expect(() => crashLooping(state)).not.toThrow();
    expect(crashLooping(state)).toEqual(['good']);
    expect(state.lanes.gone).toBeUndefined();
    expect(state.lanes.junk).toBeUndefined();
    expect(state.lanes.odd).toEqual({
      failures: 0,
      start_failures: 0,
      backoff_until: null,
      last_start_at: null,
      awaiting_exit: false,
    });
    expect(inBackoff(state.lanes.good, NOW)).toBe(true);
  });

  it('an unreadable circuit open_until does not disable the circuit breaker for good', () => {
    const file = path.join(tempDir(), 'state.json');
    writeFileSync(
      file,
      JSON.stringify({
        circuit: { failure_times: ['2026-06-01T11:59:00.000Z', 7, null], open_until: 'soon' },
      }),
    );
    const { state } = loadGuardState(file, NOW);
    expect(state.circuit).toEqual({
      failure_times: ['2026-06-01T11:59:00.000Z'],
      open_until: null,
    });
    // Six failures now exceed the limit of five: the circuit must open.
    const next = updateCircuit(state.circuit, 5, NOW, CIRCUIT);
    expect(circuitOpen(next, NOW)).toBe(true);
  });

  it('an unreadable last ensure or escalation time does not stop them for good', () => {
    const file = path.join(tempDir(), 'state.json');
    writeFileSync(file, JSON.stringify({ last_ensure_at: 'yesterday', last_escalate_at: '' }));
    const { state } = loadGuardState(file, NOW);
    expect(state.last_ensure_at).toBeNull();
    expect(state.last_escalate_at).toBeNull();
  });
});

describe('the state a cycle wrote, read back by the next cycle', () => {
  const models = useModelServer();

  it('is the state written when the file holds exactly its bytes, and equals a fresh parse of them', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [
        { id: 'a', urls: [models.server.baseUrl], pending: 2 },
        { id: 'b', urls: [models.server.baseUrl], states: { done: 1 } },
      ],
      guard: { dry_run: true },
    });
    const config = loadConfig({ root });
    const deps = guardDeps(config);
    await runCycle(deps, { trigger: 'manual' });
    const second = await runCycle(deps, { trigger: 'manual' });
    const file = config.paths.state;
    // The next cycle's load: the state the last cycle wrote, not a copy parsed again.
    expect(loadGuardState(file, NOW).state).toBe(second.state);
    expect(Object.keys(second.state.progress).sort()).toEqual(['a', 'b']);
    // The same bytes anywhere else parse to the same state.
    const copy = path.join(tempDir(), 'state.json');
    copyFileSync(file, copy);
    expect(loadGuardState(copy, NOW).state).toEqual(second.state);

    // Anything else in the file is read from the file.
    const edited = { ...second.state, consecutive_idle_cycles: 99 };
    writeFileSync(file, JSON.stringify(edited, null, 2));
    const loaded = loadGuardState(file, NOW).state;
    expect(loaded).not.toBe(second.state);
    expect(loaded.consecutive_idle_cycles).toBe(99);
  });
});
