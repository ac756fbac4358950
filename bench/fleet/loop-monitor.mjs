// Preloaded into the `serve` under benchmark (node --import): measures the event-loop delay with
// perf_hooks.monitorEventLoopDelay and writes it to $LANEGUARD_BENCH_LOOP_FILE on SIGUSR2, then
// starts a fresh window. Benchmark tooling only; laneguard itself never loads it.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

const file = process.env.LANEGUARD_BENCH_LOOP_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  let window = 0;
  process.on('SIGUSR2', () => {
    const ms = (ns) => Math.round((ns / 1e6) * 100) / 100;
    // With --expose-gc (a diagnosis run), figures after a full collection: what is really held.
    if (process.env.LANEGUARD_BENCH_GC === '1' && globalThis.gc) globalThis.gc();
    const memory = process.memoryUsage();
    writeFileSync(
      file,
      JSON.stringify({
        window: ++window,
        samples: histogram.count,
        p50_ms: ms(histogram.percentile(50)),
        p99_ms: ms(histogram.percentile(99)),
        max_ms: ms(histogram.max),
        rss: memory.rss,
        heap_used: memory.heapUsed,
        heap_total: memory.heapTotal,
        external: memory.external,
        array_buffers: memory.arrayBuffers,
        // Where the heap's size goes (committed vs used per space): a diagnosis aid.
        heap_spaces: Object.fromEntries(
          getHeapSpaceStatistics().map((s) => [
            s.space_name,
            { size: s.space_size, used: s.space_used_size },
          ]),
        ),
      }),
    );
    histogram.reset();
  });
}
