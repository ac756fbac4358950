// The 1,000-lane phases of `npm run bench:fleet` alone (RSS after N cycles, /metrics while cycles
// run, webhook while cycles run), for before/after comparisons of the footprint and latency work:
//   vite-node bench/fleet/phases.ts [--lanes 1000] [--cycles 1000] [--only rss,metrics,webhook]
//     [--node-args '…' (after serve's own node flags)] [--raw (every latency, to pool runs)]
// Prints one JSON line of figures. Asserts nothing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ModelServer } from '../../src/sandbox/model-server.js';
import { cyclePhase, percentile, rssPhase, webhookPhase } from './measure.js';
import { buildFleetRoot } from './root.js';
import { ServeChild } from './serve-child.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}
const lanes = Number(arg('lanes', '1000'));
const late = Number(arg('cycles', '1000'));
const only = new Set(arg('only', 'rss,metrics,webhook').split(','));
const nodeArgs = arg('node-args', '').split(' ').filter(Boolean);
/** Also print every latency measured (to pool several runs). */
const raw = process.argv.includes('--raw');
const MB = 1024 * 1024;
const r1 = (n: number): number => Math.round(n * 10) / 10;

function smaps(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const line of readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').split('\n')) {
      const m = /^(Rss|Anonymous|Pss_File|Pss_Anon):\s+(\d+) kB/.exec(line);
      if (m) out[m[1]!] = r1(Number(m[2]) / 1024);
    }
  } catch {
    // no /proc
  }
  return out;
}

const server = await new ModelServer({ kind: 'openai', models: ['bench-model'] }).start();
const root = mkdtempSync(path.join(tmpdir(), `laneguard-phases-${lanes}-`));
const figures: Record<string, unknown> = { lanes };
try {
  buildFleetRoot(root, { lanes, endpointUrls: [server.baseUrl] });
  const serve = await ServeChild.start(root, nodeArgs);
  try {
    for (let i = 0; (await serve.metric('laneguard_cycles_total')) < 1 && i < 600; i++)
      await new Promise((r) => setTimeout(r, 100));
    const round = { n: 0 };
    if (only.has('rss')) {
      const done = await serve.metric('laneguard_cycles_total');
      const rss = await rssPhase(serve, root, lanes, 100, late, done, round);
      const w = await serve.loopWindow();
      Object.assign(figures, {
        rss_early_mb: r1(rss.early / MB),
        rss_late_mb: r1(rss.late / MB),
        growth_pct: r1(((rss.late - rss.early) / rss.early) * 100),
        heap_used_mb: r1(w.heap_used / MB),
        heap_total_mb: r1(w.heap_total / MB),
        external_mb: r1(w.external / MB),
        smaps: smaps(serve.child.pid!),
        spaces: Object.fromEntries(
          Object.entries(
            (w as unknown as { heap_spaces: Record<string, { size: number; used: number }> })
              .heap_spaces ?? {},
          ).map(([k, v]) => [k, `${r1(v.used / MB)}/${r1(v.size / MB)}`]),
        ),
      });
    }
    if (only.has('metrics')) {
      const idle = await cyclePhase(serve, root, lanes, 40, 0, round);
      const busy = await cyclePhase(serve, root, lanes, 40, 0.01, round);
      const scrapes = [...idle.scrapeMs, ...busy.scrapeMs];
      Object.assign(figures, {
        scrapes: scrapes.length,
        metrics_p50_ms: r1(percentile(scrapes, 50)),
        metrics_p99_ms: r1(percentile(scrapes, 99)),
        metrics_max_ms: r1(Math.max(...scrapes)),
        loop_p99_ms: Math.max(idle.loopP99Ms, busy.loopP99Ms),
        loop_max_ms: Math.max(idle.loopMaxMs, busy.loopMaxMs),
        cycle_ms_median: percentile([...idle.cycleMs, ...busy.cycleMs], 50),
        ...(raw ? { scrape_ms: scrapes.map(r1) } : {}),
      });
    }
    if (only.has('webhook')) {
      const hook = await webhookPhase(serve, 2000, 20, 200);
      Object.assign(figures, {
        webhook_p50_ms: r1(percentile(hook.latencyMs, 50)),
        webhook_p99_ms: r1(percentile(hook.latencyMs, 99)),
        webhook_max_ms: r1(Math.max(...hook.latencyMs)),
        webhook_warmup_p99_ms: r1(percentile(hook.warmupMs, 99)),
        alert_cycles: hook.alertCycles,
        ...(raw ? { webhook_ms: hook.latencyMs.map(r1) } : {}),
      });
    }
    figures.rss_end_mb = r1((serve.rss() ?? NaN) / MB);
  } finally {
    await serve.stop();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
  await server.stop();
}
console.log(JSON.stringify(figures));
