import * as z from 'zod';
import { ENDPOINT_KINDS } from '../domain/catalogues.js';

export const ENDPOINT_ID = /^[A-Za-z0-9._-]{1,64}$/;

export const endpointSchema = z.strictObject({
  id: z.string().regex(ENDPOINT_ID, 'must match [A-Za-z0-9._-]{1,64}'),
  base_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  enabled: z.boolean().default(true),
  role: z.string().default(''),
  max_parallel: z.number().int().positive().default(1),
  kind: z.enum(ENDPOINT_KINDS).default('auto'),
  local: z.boolean().optional(),
  heartbeat: z.boolean().default(false),
  timeout_sec: z.number().positive().default(5),
  headers: z.record(z.string(), z.string()).default({}),
  canary: z.strictObject({ model: z.string().min(1) }).optional(),
  warmup_grace_sec: z.number().min(0).default(0),
  keep_warm: z.strictObject({ model: z.string().min(1) }).optional(),
});

// Sections of the original fleet file other than `endpoints` (routing, benchmark, target_models, …)
// belong to other tools: accepted and ignored.
export const fleetSchema = z.looseObject({
  version: z.literal(1, { error: 'must be 1 (the only format version)' }).optional(),
  endpoints: z.array(endpointSchema).default([]),
});

export type EndpointConfig = z.infer<typeof endpointSchema>;
