import type { Registry } from 'prom-client';
import type { Metrics } from './registry.js';

type Named = { name: string };

let queue: Promise<unknown> = Promise.resolve();

/**
 * Render the exposition. prom-client renames counters in place (drops `_total`) while rendering
 * OpenMetrics; since both registries share the metric objects, renders are serialised and every
 * name is restored right after, so a text scrape never sees a renamed counter.
 */
export function renderMetrics(m: Metrics, openMetrics: boolean): Promise<{ contentType: string; body: string }> {
  const registry = (openMetrics ? m.openMetrics : m.registry) as Registry;
  const run = async (): Promise<{ contentType: string; body: string }> => {
    const objects = registry.getMetricsAsArray() as unknown as Named[];
    const names = objects.map((o) => o.name);
    try {
      return { contentType: registry.contentType, body: await registry.metrics() };
    } finally {
      objects.forEach((o, i) => (o.name = names[i]!));
    }
  };
  const next = queue.then(run, run);
  queue = next.catch(() => undefined);
  return next;
}
