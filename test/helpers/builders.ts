import { guardSchema, type GuardConfig } from '../../src/config/guard-schema.js';
import {
  emptyWork,
  initialGuardState,
  type EndpointView,
  type GuardState,
  type LaneSnapshot,
  type PauseInfo,
} from '../../src/domain/types.js';

export const URL_A = 'http://127.0.0.1:1001/v1';
export const URL_B = 'http://127.0.0.1:1002/v1';

export function endpoint(id: string, over: Partial<EndpointView> = {}): EndpointView {
  const port = id === 'a' ? 1001 : id === 'b' ? 1002 : 1000 + id.length * 7;
  return {
    id,
    baseUrl: `http://127.0.0.1:${port}/v1`,
    enabled: true,
    state: 'up',
    healthy: true,
    configuredMaxParallel: 4,
    recommendedParallel: null,
    effectiveMaxParallel: 4,
    ...over,
  };
}

export function lane(
  id: string,
  over: Partial<LaneSnapshot> & { pending?: number } = {},
): LaneSnapshot {
  const { pending, ...rest } = over;
  return {
    id,
    enabled: true,
    owner: 'ops',
    local: true,
    localOnly: true,
    endpointUrls: [URL_A],
    running: false,
    pid: null,
    paused: false,
    pause: null,
    work: { ...emptyWork(), pending: pending ?? 1 },
    heartbeatAgeSec: null,
    ...rest,
  };
}

export function pause(over: Partial<PauseInfo> = {}): Pick<LaneSnapshot, 'paused' | 'pause'> {
  return {
    paused: true,
    pause: {
      message: 'manual pause',
      ageSec: 3600,
      manual: true,
      held: false,
      stale: true,
      ...over,
    },
  };
}

export function guardConfig(over: Record<string, unknown> = {}): GuardConfig {
  return guardSchema.parse(over);
}

export function state(over: Partial<GuardState> = {}): GuardState {
  return { ...initialGuardState(), ...over };
}

export const NOW = new Date('2026-06-01T12:00:00.000Z');
export const at = (secondsFromNow: number): string =>
  new Date(NOW.getTime() + secondsFromNow * 1000).toISOString();
