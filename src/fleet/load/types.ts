// What a model server says about its own load, read with the probe and at no token cost.
// Every field is null when the server does not report it: unknown is never 0.

import type { EndpointLoad } from '../../domain/types.js';

/**
 * `running`: requests being processed; `waiting`: requests queued for a free slot; `slots`:
 * parallel slots by state, where the server reports them (llama.cpp `/slots`).
 */
export interface ServerLoad extends EndpointLoad {
  /** Where it was read (`GET /metrics`, `GET /slots`, …), for people. */
  source: string;
}

/** A load that says nothing is no load reading at all. */
export function loadOrNull(load: ServerLoad): ServerLoad | null {
  return load.running === null && load.waiting === null && load.slots === null ? null : load;
}

/** "server: 2 running, 1 waiting, slots 2 busy / 0 idle": the load in words, for reasons and tables. */
export function describeLoad(load: ServerLoad): string {
  const parts: string[] = [];
  if (load.running !== null) parts.push(`${load.running} running`);
  if (load.waiting !== null) parts.push(`${load.waiting} waiting`);
  if (load.slots) parts.push(`slots ${load.slots.busy} busy / ${load.slots.idle} idle`);
  return `server: ${parts.join(', ')}`;
}
