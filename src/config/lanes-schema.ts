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
