import { Registry } from 'prom-client';
import { TimeSlicer } from '../util/slice.js';
import { writeLaneFamilies } from './lane-exposition.js';
import type { Metrics } from './registry.js';

type Named = { name: string };

const EOF_LINE = '# EOF\n';

let queue: Promise<unknown> = Promise.resolve();

/**
 * Render the registry: the text format, or OpenMetrics when asked for. prom-client renders
 * OpenMetrics by the registry's content type and, while doing so, renames counters in place (drops
 * `_total`; prometheus/client_js#829 removes that mutation). So renders are serialised, the content
 * type is set for each render and put back, and every name is restored right after, so a text
 * scrape never sees a renamed counter.
 */
function renderRegistry(
  m: Metrics,
  contentType: string,
  /** Called as the render starts: what it reads then is what the gauges show. */
  onStart: () => void,
): Promise<string> {
  // Typed for one content type; this registry switches between the two.
  const registry = m.registry as unknown as Registry<
    typeof Registry.PROMETHEUS_CONTENT_TYPE | typeof Registry.OPENMETRICS_CONTENT_TYPE
  >;
  const run = async (): Promise<string> => {
    onStart();
    const objects = registry.getMetricsAsArray() as unknown as Named[];
    const names = objects.map((o) => o.name);
    registry.setContentType(contentType as typeof Registry.PROMETHEUS_CONTENT_TYPE);
    try {
      return await registry.metrics();
    } finally {
      registry.setContentType(Registry.PROMETHEUS_CONTENT_TYPE);
      objects.forEach((o, i) => (o.name = names[i]!));
    }
  };
  const next = queue.then(run, run);
  queue = next.catch(() => undefined);
  return next;
}

export function metricsContentType(openMetrics: boolean): string {
  return openMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE;
}

/**
 * Write the whole exposition, chunk by chunk: the registry's families, then the lane families
 * written from the latest cycle result (outside the render queue: they mutate nothing). In
 * OpenMetrics the registry's `# EOF` moves to the very end.
 */
export async function writeMetrics(
  m: Metrics,
  openMetrics: boolean,
  write: (chunk: string | Buffer) => void,
): Promise<void> {
  // It answers a scrape: it yields to I/O, never to a cycle (util/slice.ts).
  const slicer = new TimeSlicer({ foreground: true });
  await m.view.prepare(slicer);
  // Taken as the registry's render starts (its collect() functions all run then, before any
  // await): one scrape shows one cycle, in the gauges and in the lane families alike.
  let lanes = m.sources.lanes;
  const registryBody = await renderRegistry(
    m,
    metricsContentType(openMetrics),
    () => (lanes = m.sources.lanes),
  );
  if (!openMetrics) {
    write(registryBody);
    write('\n');
    await writeLaneFamilies(lanes, false, write, slicer);
    return;
  }
  if (!registryBody.endsWith(EOF_LINE)) throw new Error('OpenMetrics exposition without # EOF');
  write(registryBody.slice(0, -EOF_LINE.length));
  await writeLaneFamilies(lanes, true, write, slicer);
  write(EOF_LINE);
}

/** The exposition in one string (tests, and callers that want the whole body). */
export async function renderMetrics(
  m: Metrics,
  openMetrics: boolean,
): Promise<{ contentType: string; body: string }> {
  const chunks: Buffer[] = [];
  await writeMetrics(m, openMetrics, (chunk) =>
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk),
  );
  return { contentType: metricsContentType(openMetrics), body: Buffer.concat(chunks).toString() };
}
