import type { EndpointConfig } from '../../config/fleet-schema.js';
import type { EndpointView } from '../../domain/types.js';
import type { FleetStatus } from '../../fleet/status-file.js';

/** Scheme, host, port and path without trailing slashes or a trailing `/v1`: how lanes and endpoints meet. */
export function normalizeUrl(url: string): string | null {
  try {
    const u = new URL(url.trim());
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    const host = u.hostname.toLowerCase() === 'localhost' ? '127.0.0.1' : u.hostname.toLowerCase();
    const pathPart = u.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
    return `${u.protocol}//${host}:${port}${pathPart}`;
  } catch {
    return null;
  }
}

/** Map each lane URL to the configured endpoint it names (null when none does). */
export function endpointForUrl(
  url: string,
  endpoints: readonly { id: string; baseUrl: string }[],
): string | null {
  return endpointIndex(endpoints)(url);
}

/**
 * A lookup from lane URL to endpoint id, built once per decision: URLs are normalised once each,
 * so matching stays linear in the number of lanes (see bench/decide.bench.ts).
 */
export function endpointIndex(
  endpoints: readonly { id: string; baseUrl: string }[],
): (url: string) => string | null {
  const byUrl = new Map<string, string>();
  for (const e of endpoints) {
    const key = normalizeUrl(e.baseUrl);
    if (key !== null && !byUrl.has(key)) byUrl.set(key, e.id);
  }
  const seen = new Map<string, string | null>();
  return (url) => {
    let id = seen.get(url);
    if (id === undefined) {
      const key = normalizeUrl(url);
      id = key === null ? null : (byUrl.get(key) ?? null);
      seen.set(url, id);
    }
    return id;
  };
}

/** Build the decision view of the endpoints from config and the latest probe and scan. */
export function buildEndpointViews(
  endpoints: readonly EndpointConfig[],
  status: FleetStatus | null,
): EndpointView[] {
  const probed = new Map((status?.probe?.endpoints ?? []).map((r) => [r.id, r]));
  const scanned = status?.capability_scan?.summary?.by_endpoint ?? {};
  return endpoints.map((endpoint) => {
    const record = probed.get(endpoint.id);
    const recommended = scanned[endpoint.id]?.recommended_parallel;
    const recommendedParallel =
      typeof recommended === 'number' && recommended > 0 ? recommended : null;
    return {
      id: endpoint.id,
      baseUrl: endpoint.base_url,
      enabled: endpoint.enabled,
      state: !endpoint.enabled ? 'disabled' : (record?.state ?? 'down'),
      healthy: endpoint.enabled && record?.healthy === true,
      configuredMaxParallel: endpoint.max_parallel,
      recommendedParallel,
      effectiveMaxParallel: Math.min(
        endpoint.max_parallel,
        recommendedParallel ?? endpoint.max_parallel,
      ),
      // Only an endpoint that is up now has a load worth deciding on.
      load:
        endpoint.enabled && record?.state === 'up' && record.load
          ? { running: record.load.running, waiting: record.load.waiting, slots: record.load.slots }
          : null,
    };
  });
}
