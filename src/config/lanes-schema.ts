import * as z from 'zod';

// lanes.json belongs to the fleet (the orxaq layout): laneguard reads the keys it needs and leaves
// the rest alone, so unknown keys are fine here. Each lane is validated on its own so one bad lane
// never hides the good ones.
export const LANE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const laneSpecSchema = z.looseObject({
  id: z.string().regex(LANE_ID, 'lane id must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'),
  enabled: z.boolean().default(true),
  owner: z.string().default(''),
  tasks_file: z.string().min(1).optional(),
  task_queue_file: z.string().min(1).optional(),
  task_queue_state_file: z.string().min(1).optional(),
  /** Overrides of the lane's runtime files, relative to the root (as the replaced system reads them). */
  state_file: z.string().min(1).optional(),
  heartbeat_file: z.string().min(1).optional(),
  continuous: z.boolean().optional(),
  env: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
    .default({}),
});

export type LaneSpec = z.infer<typeof laneSpecSchema>;

export function isValidLaneId(id: unknown): id is string {
  return typeof id === 'string' && LANE_ID.test(id);
}

/** The optional path keys: a non-empty string when present. */
const PATH_KEYS = [
  'tasks_file',
  'task_queue_file',
  'task_queue_state_file',
  'state_file',
  'heartbeat_file',
] as const;

/** Every key the schema knows (a test holds the schema and this list together). */
export const LANE_SPEC_KEYS = [
  'id',
  'enabled',
  'owner',
  ...PATH_KEYS,
  'continuous',
  'env',
] as const;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What `laneSpecSchema` makes of a well-formed entry, worked out directly; null for anything else,
 * which the schema then judges (and words the error). At 1,000 lanes the schema's first thousand
 * parses cost tens of milliseconds of a one-shot command; this costs a few.
 */
export function wellFormedLaneSpec(raw: unknown): LaneSpec | null {
  if (!isPlainObject(raw) || typeof raw.id !== 'string' || !LANE_ID.test(raw.id)) return null;
  if (raw.enabled !== undefined && typeof raw.enabled !== 'boolean') return null;
  if (raw.owner !== undefined && typeof raw.owner !== 'string') return null;
  if (raw.continuous !== undefined && typeof raw.continuous !== 'boolean') return null;
  for (const key of PATH_KEYS) {
    const value = raw[key];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) return null;
  }
  const env: Record<string, string> = {};
  if (raw.env !== undefined) {
    if (!isPlainObject(raw.env)) return null;
    for (const [key, value] of Object.entries(raw.env)) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
        return null;
      env[key] = String(value);
    }
  }
  return { ...raw, enabled: raw.enabled ?? true, owner: raw.owner ?? '', env } as LaneSpec;
}
