// `npm run bench:fleet`: synthetic fleets in the orxaq layout, `serve` run on each, every figure
// printed with its goal and whether it is met. It asserts nothing. `--short` (CI) runs one small
// fleet with few cycles and prints the figures without goals, so the benchmark cannot rot.
// `--lanes 10000` runs only the fleet of that size.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { ModelServer } from '../../src/sandbox/model-server.js';
import {
  cyclePhase,
  machineSpeed,
  median,
  onceTimes,
  percentile,
  rssPhase,
  webhookPhase,
} from './measure.js';
import { buildFleetRoot } from './root.js';
import { ServeChild } from './serve-child.js';

interface Plan {
  lanes: number;
  /** Cycles per measured phase (idle, then 1 % changing). */
  cycles: number;
  /** Scrapes per measured phase at least (more cycles run until they were answered). */
  minScrapes: number;
  /** `once` runs whose median is printed: on a shared host one run in five can take a third longer
   * than the others, and a median of five moved with it. */
  onceRuns: number;
  /** RSS sampled after `early` and `late` cycles (0 = skip). */
  rss: { early: number; late: number } | null;
  webhook: { alerts: number; concurrency: number } | null;
}

interface Figure {
  name: string;
  value: number;
  unit: 'ms' | 's' | 'MB' | '%' | '';
  /** Goal as an upper bound (met when value ≤ goal), or none. */
  goal?: number;
  /** An exact goal (met when value === goal). */
  exactly?: number;
}

const short = process.argv.includes('--short');
const PLANS: Plan[] = short
  ? [
      {
        lanes: 200,
        cycles: 8,
        minScrapes: 0,
        onceRuns: 1,
        rss: { early: 10, late: 40 },
        webhook: { alerts: 200, concurrency: 20 },
      },
    ]
  : [
      {
        lanes: 1000,
        cycles: 40,
        minScrapes: 100,
        onceRuns: 11,
        rss: { early: 100, late: 1000 },
        webhook: { alerts: 2000, concurrency: 20 },
      },
      { lanes: 10_000, cycles: 10, minScrapes: 0, onceRuns: 1, rss: null, webhook: null },
    ];

const MB = 1024 * 1024;
const round2 = (n: number): number => Math.round(n * 100) / 100;

function line(f: Figure): string {
  const value = Number.isNaN(f.value) ? 'n/a' : `${round2(f.value)}${f.unit ? ` ${f.unit}` : ''}`;
  if (short || (f.goal === undefined && f.exactly === undefined))
    return `  ${f.name.padEnd(58)} ${value}`;
  const goal =
    f.exactly !== undefined ? `= ${f.exactly}` : `≤ ${f.goal}${f.unit ? ` ${f.unit}` : ''}`;
  const met = f.exactly !== undefined ? f.value === f.exactly : f.value <= f.goal!;
  return `  ${f.name.padEnd(58)} ${value.padStart(10)}   goal ${goal.padEnd(10)} ${met ? 'met' : 'NOT MET'}`;
}

async function runPlan(plan: Plan, endpointUrl: string): Promise<Figure[]> {
  const big = plan.lanes >= 10_000;
  const root = mkdtempSync(path.join(tmpdir(), `laneguard-bench-${plan.lanes}-`));
  const figures: Figure[] = [];
  try {
    let started = performance.now();
    buildFleetRoot(root, { lanes: plan.lanes, endpointUrls: [endpointUrl] });
    console.log(
      `\n${plan.lanes} lanes (root built in ${Math.round(performance.now() - started)} ms)`,
    );
    const once = await onceTimes(root, plan.onceRuns);
    figures.push({
      name: `once wall time incl. start-up (median of ${plan.onceRuns})`,
      value: once.wallMs / 1000,
      unit: 's',
      goal: plan.lanes === 1000 ? 0.35 : undefined,
    });
    // Where it goes: the cycle (the report's duration_ms), node's own start (`node -e 0`), the rest.
    figures.push({
      name: '  of which the cycle (report duration_ms)',
      value: once.cycleMs / 1000,
      unit: 's',
    });
    figures.push({
      name: '  of which node starting (node -e 0)',
      value: once.nodeMs / 1000,
      unit: 's',
    });

    started = performance.now();
    const serve = await ServeChild.start(root);
    try {
      // The first scheduled cycle reads every file.
      for (let i = 0; (await serve.metric('laneguard_cycles_total')) < 1 && i < 600; i++)
        await new Promise((r) => setTimeout(r, 100));
      figures.push({
        name: 'serve start-up to first completed cycle',
        value: (performance.now() - started) / 1000,
        unit: 's',
      });
      const round = { n: 0 };
      if (plan.rss) {
        const done = await serve.metric('laneguard_cycles_total');
        const rss = await rssPhase(
          serve,
          root,
          plan.lanes,
          plan.rss.early,
          plan.rss.late,
          done,
          round,
        );
        figures.push({
          name: `serve RSS after ${plan.rss.late} cycles`,
          value: rss.late / MB,
          unit: 'MB',
          goal: short ? undefined : 100,
        });
        figures.push({
          name: `serve RSS growth, cycle ${plan.rss.early} → ${plan.rss.late}`,
          value: ((rss.late - rss.early) / rss.early) * 100,
          unit: '%',
          goal: 5,
        });
      }
      const idle = await cyclePhase(
        serve,
        root,
        plan.lanes,
        plan.cycles,
        0,
        round,
        plan.minScrapes,
      );
      figures.push({
        name: 'steady-state cycle, unchanged lanes (median)',
        value: median(idle.cycleMs),
        unit: 'ms',
        goal: big ? 150 : undefined,
      });
      const busy = await cyclePhase(
        serve,
        root,
        plan.lanes,
        plan.cycles,
        0.01,
        round,
        plan.minScrapes,
      );
      figures.push({
        name: 'steady-state cycle, 1 % of lanes changing (median)',
        value: median(busy.cycleMs),
        unit: 'ms',
        goal: big ? 300 : undefined,
      });
      figures.push({
        name: 'event-loop delay p99 during cycles',
        value: Math.max(idle.loopP99Ms, busy.loopP99Ms),
        unit: 'ms',
        goal: big ? 20 : undefined,
      });
      figures.push({
        name: 'event-loop delay max during cycles',
        value: Math.max(idle.loopMaxMs, busy.loopMaxMs),
        unit: 'ms',
      });
      const scrapes = [...idle.scrapeMs, ...busy.scrapeMs];
      figures.push({
        name: `/metrics p99 while cycles run (${scrapes.length} scrapes)`,
        value: percentile(scrapes, 99),
        unit: 'ms',
        goal: plan.lanes === 1000 ? 50 : undefined,
      });
      if (plan.webhook) {
        const warmup = plan.webhook.alerts / 10;
        const hook = await webhookPhase(
          serve,
          plan.webhook.alerts,
          plan.webhook.concurrency,
          warmup,
        );
        figures.push({
          name: `webhook max of the ${warmup} warm-up alerts before them (first calls, cold code)`,
          value: Math.max(...hook.warmupMs),
          unit: 'ms',
        });
        figures.push({
          name: `webhook p99, ${plan.webhook.alerts} duplicate alerts while cycles run`,
          value: percentile(hook.latencyMs, 99),
          unit: 'ms',
          goal: 20,
        });
        figures.push({
          name: 'cycles caused by those alerts',
          value: hook.alertCycles,
          unit: '',
          exactly: 1,
        });
      }
      const window = await serve.loopWindow();
      figures.push({
        name: `serve heap used at the end (RSS ${round2(window.rss / MB)} MB)`,
        value: window.heap_used / MB,
        unit: 'MB',
      });
    } finally {
      await serve.stop();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  for (const f of figures) console.log(line(f));
  return figures;
}

const server = await new ModelServer({ kind: 'openai', models: ['bench-model'] }).start();
try {
  console.log(
    `laneguard fleet benchmark${short ? ' (short: figures only, no goals)' : ''} — node ${process.version}, ${new Date().toISOString()}`,
  );
  // Latencies measure CPU starvation too: say how busy the machine was.
  const cores = availableParallelism();
  const load = loadavg()[0]!;
  console.log(
    `${cores} cores, load average ${load.toFixed(1)}${load > cores ? ' — the machine is busy: figures are pessimistic' : ''}`,
  );
  const speed = await machineSpeed();
  console.log(
    `machine speed now: node -e 0 in ${Math.round(speed.nodeMs)} ms, a fixed CPU loop in ${Math.round(speed.loopMs)} ms (compare runs only when these match)`,
  );
  const all: Figure[] = [];
  const lanesArg = process.argv.indexOf('--lanes');
  const only = lanesArg >= 0 ? Number(process.argv[lanesArg + 1]) : null;
  for (const plan of PLANS)
    if (only === null || plan.lanes === only) all.push(...(await runPlan(plan, server.baseUrl)));
  if (!short) {
    const judged = all.filter((f) => f.goal !== undefined || f.exactly !== undefined);
    const met = judged.filter((f) =>
      f.exactly !== undefined ? f.value === f.exactly : f.value <= f.goal!,
    ).length;
    console.log(`\n${met} of ${judged.length} goals met`);
  }
} finally {
  await server.stop();
}
