import type { EndpointConfig } from '../../config/fleet-schema.js';
import type { EndpointKind } from '../../domain/catalogues.js';
import type { ProbeContext } from '../prober.js';
import { BACKENDS } from '../probers/index.js';
import type { ServerLoad } from './types.js';

export type { ServerLoad } from './types.js';

/** The server's load, or null when its kind reports none or it did not answer. Never throws. */
export async function readLoad(
  endpoint: EndpointConfig,
  kind: EndpointKind | undefined,
  ctx: ProbeContext,
): Promise<ServerLoad | null> {
  const reader = kind && kind !== 'auto' ? BACKENDS[kind].readLoad : undefined;
  if (!reader) return null;
  try {
    return await reader(endpoint, ctx);
  } catch {
    return null;
  }
}
