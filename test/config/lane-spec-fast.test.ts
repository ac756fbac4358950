import { describe, expect, it } from 'vitest';
import {
  LANE_SPEC_KEYS,
  laneSpecSchema,
  wellFormedLaneSpec,
} from '../../src/config/lanes-schema.js';

const base = {
  id: 'lane-a',
  enabled: true,
  owner: 'team',
  tasks_file: 'config/lanes/a_tasks.json',
  continuous: true,
  env: { ORXAQ_LOCAL_OPENAI_BASE_URLS: 'http://127.0.0.1:1/v1', ORXAQ_AUTONOMY_LOCAL_ONLY: '1' },
  description: 'kept as it is',
  validate_commands: ['make test'],
};

/** Entries as lanes.json holds them, well-formed or not. */
const corpus: unknown[] = [
  base,
  { id: 'b' },
  { id: 'c', enabled: false, env: { N: 3, FLAG: true, S: 's' } },
  { ...base, owner: undefined },
  { ...base, task_queue_file: 'q.ndjson', task_queue_state_file: 's.json' },
  { ...base, state_file: 'x/state.json', heartbeat_file: 'x/hb.json' },
  { ...base, id: '.hidden' },
  { ...base, id: 'a/b' },
  { ...base, id: 7 },
  { ...base, enabled: 'yes' },
  { ...base, owner: 3 },
  { ...base, tasks_file: '' },
  { ...base, tasks_file: 4 },
  { ...base, continuous: 1 },
  { ...base, env: [] },
  { ...base, env: { A: null } },
  { ...base, env: { A: { nested: 1 } } },
  { ...base, env: 'A=1' },
  null,
  [],
  'lane',
  { name: 'no id' },
];

describe('well-formed lane specs, worked out without the schema', () => {
  it('knows every key of the schema', () => {
    expect([...LANE_SPEC_KEYS].sort()).toEqual(Object.keys(laneSpecSchema.shape).sort());
  });

  it('gives exactly what the schema gives, and leaves to the schema anything it rejects', () => {
    for (const raw of corpus) {
      const parsed = laneSpecSchema.safeParse(raw);
      const fast = wellFormedLaneSpec(raw);
      if (!parsed.success) expect(fast, JSON.stringify(raw)).toBeNull();
      else if (fast !== null) expect(fast, JSON.stringify(raw)).toEqual(parsed.data);
    }
    // The common shapes do take the fast way.
    expect(wellFormedLaneSpec(base)).not.toBeNull();
    expect(wellFormedLaneSpec({ id: 'b' })).toEqual({ id: 'b', enabled: true, owner: '', env: {} });
  });
});
