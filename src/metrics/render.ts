import { Registry } from 'prom-client';
import type { Metrics } from './registry.js';

type Named = { name: string };

let queue: Promise<unknown> = Promise.resolve();

/**
 * Render the exposition from the one registry: the text format, or OpenMetrics when asked for.
 * prom-client renders OpenMetrics by the registry's content type and, while doing so, renames
 * counters in place (drops `_total`; prometheus/client_js#829 removes that mutation). So renders are
 * serialised, the content type is set for each render and put back, and every name is restored
 * right after, so a text scrape never sees a renamed counter.
 */
export function renderMetrics(m: Metrics, openMetrics: boolean): Promise<{ contentType: string; body: string }> {
  // Typed for one content type; this registry switches between the two.
  const registry = m.registry as unknown as Registry<typeof Registry.PROMETHEUS_CONTENT_TYPE | typeof Registry.OPENMETRICS_CONTENT_TYPE>;
  const run = async (): Promise<{ contentType: string; body: string }> => {
    const objects = registry.getMetricsAsArray() as unknown as Named[];
    const names = objects.map((o) => o.name);
    const contentType = openMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE;
    registry.setContentType(contentType);
    try {
      return { contentType, body: await registry.metrics() };
    } finally {
      registry.setContentType(Registry.PROMETHEUS_CONTENT_TYPE);
      objects.forEach((o, i) => (o.name = names[i]!));
    }
  };
  const next = queue.then(run, run);
  queue = next.catch(() => undefined);
  return next;
}
