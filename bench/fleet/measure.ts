// Measurements of one synthetic fleet: `once` wall time, cycles in `serve` with scrapes and webhook
// calls running against them, event-loop delay and RSS. Figures only; the caller judges them.
import { spawn } from 'node:child_process';
import type { ServeChild } from './serve-child.js';
import { MAIN, request, TOKEN } from './serve-child.js';
import { hookCalls, postBytes } from './hook-client.js';
import { touchLane } from './root.js';

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export interface OnceTimes {
  /** Wall time of `laneguard once`, start-up included. */
  wallMs: number;
  /** The cycle alone, as the report gives it (duration_ms). */
  cycleMs: number;
  /** Node starting with nothing to run (`node -e 0`): the floor under any command. */
  nodeMs: number;
}

function spawnTimed(
  args: string[],
): Promise<{ ms: number; code: number | null; out: string; err: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ ms: performance.now() - started, code, out, err })),
  );
}

/**
 * How fast the machine is right now: node's own start (`node -e 0`, median of `runs`) and a fixed
 * CPU loop in this process. A shared or virtual machine can be several times slower in one hour
 * than in the next (other tenants, CPU steal) while its load average stays low: figures from two
 * runs compare only when these do.
 */
export async function machineSpeed(runs = 5): Promise<{ nodeMs: number; loopMs: number }> {
  const starts: number[] = [];
  for (let i = 0; i < runs; i++) starts.push((await spawnTimed(['-e', '0'])).ms);
  const started = performance.now();
  let x = 0;
  for (let i = 0; i < 50_000_000; i++) x = (x + i) % 1_000_003;
  const loopMs = performance.now() - started;
  if (x < 0) console.log(x); // keeps the loop from being optimised away
  return { nodeMs: median(starts), loopMs };
}

/** `laneguard once`, start-up included, and bare node, interleaved (medians of `runs`). Spawned
 * asynchronously: the bench's own model server must keep answering the probe meanwhile. */
export async function onceTimes(root: string, runs: number): Promise<OnceTimes> {
  const wall: number[] = [];
  const cycle: number[] = [];
  const node: number[] = [];
  for (let i = 0; i < runs; i++) {
    const once = await spawnTimed([MAIN, '--root', root, 'once', '--json']);
    if (once.code !== 0) throw new Error(`once exited ${once.code}: ${once.err.slice(0, 500)}`);
    wall.push(once.ms);
    cycle.push((JSON.parse(once.out) as { duration_ms: number }).duration_ms);
    node.push((await spawnTimed(['-e', '0'])).ms);
  }
  return { wallMs: median(wall), cycleMs: median(cycle), nodeMs: median(node) };
}

/**
 * Scrape /metrics until stopped; returns the latencies. After each scrape it waits `gapMs`, or five
 * times as long as that scrape took, whichever is longer: scrapes then keep the server busy at most
 * a sixth of the time. (Prometheus scrapes every 15 s in the shipped config; a 10,000-lane scrape
 * takes 100–300 ms of CPU, so back to back every 200 ms they took half of it, and the cycle figures
 * measured the scrapes.) At 1,000 lanes a scrape takes a few ms: one every 200 ms, some 75 times
 * a real scraper's rate.
 */
export function scrapeLoop(
  serve: ServeChild,
  gapMs = 200,
): { count: () => number; stop: () => Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const answer = await request(`${serve.url}/metrics`);
      if (answer.status !== 200) throw new Error(`/metrics answered ${answer.status}`);
      latencies.push(answer.ms);
      await new Promise((r) => setTimeout(r, Math.max(gapMs, 5 * answer.ms)));
    }
  })();
  return {
    count: () => latencies.length,
    stop: async () => {
      running = false;
      await loop;
      return latencies;
    },
  };
}

export interface CyclePhase {
  cycleMs: number[];
  loopP99Ms: number;
  loopMaxMs: number;
  scrapeMs: number[];
}

/**
 * `cycles` manual cycles back to back, touching `changing` lanes before each, with scrapes running;
 * more cycles if needed until `minScrapes` scrapes were answered (a p99 of 20 scrapes is their max).
 */
export async function cyclePhase(
  serve: ServeChild,
  root: string,
  lanes: number,
  cycles: number,
  changingRatio: number,
  round: { n: number },
  minScrapes = 0,
): Promise<CyclePhase> {
  const changing = Math.round(lanes * changingRatio);
  await serve.loopWindow();
  const scrapes = scrapeLoop(serve);
  const cycleMs: number[] = [];
  for (let c = 0; c < cycles || scrapes.count() < minScrapes; c++) {
    round.n++;
    for (let k = 0; k < changing; k++) touchLane(root, (round.n * changing + k) % lanes, round.n);
    cycleMs.push(await serve.cycle());
  }
  const scrapeMs = await scrapes.stop();
  const loop = await serve.loopWindow();
  return { cycleMs, loopP99Ms: loop.p99_ms, loopMaxMs: loop.max_ms, scrapeMs };
}

function alertPayload(): string {
  const alert = {
    status: 'firing',
    labels: {
      alertname: 'LaneguardFleetIdleWhileDemand',
      laneguard_action: 'recover',
      severity: 'warning',
    },
    annotations: { summary: 'fleet idle while demand exists' },
    startsAt: '2026-01-01T00:00:00Z',
    fingerprint: 'bench0000000001',
  };
  return JSON.stringify({
    version: '4',
    groupKey: '{}:{alertname="LaneguardFleetIdleWhileDemand"}',
    status: 'firing',
    receiver: 'laneguard',
    groupLabels: {},
    commonLabels: alert.labels,
    commonAnnotations: {},
    externalURL: 'http://alertmanager',
    alerts: [alert],
  });
}

export interface WebhookPhase {
  /** The calls measured, after the warm-up. */
  latencyMs: number[];
  /** The warm-up calls: the first calls the process answers run its code cold (not yet compiled). */
  warmupMs: number[];
  alertCycles: number;
  acted: number;
}

/**
 * `warmup` then `total` identical alerts, `concurrency` at a time, while cycles run back to back:
 * each call's latency, and how many cycles the alerts caused (one: the rest are deduplicated).
 *
 * The warm-up calls are timed apart: they are the first the process answers, so they run the
 * request path before V8 has compiled it (~10 ms a call instead of well under one), and they
 * include the first 30 `alert_received` events a minute, which are written to history. A burst of
 * 20 such calls is 1 % of 2,000, so left in, it alone would be the p99. A daemon that has been up
 * answers alerts warm; the benchmark prints the warm-up's own figure beside the p99.
 *
 * The calls are sent by a lean raw-socket client (hook-client.ts), not node's HTTP client, which
 * cost as much CPU per call as serve's answer on the same two cores.
 */
export async function webhookPhase(
  serve: ServeChild,
  total: number,
  concurrency: number,
  warmup = 0,
): Promise<WebhookPhase> {
  const alertCyclesBefore = await serve.metric('laneguard_cycles_total', 'trigger="alert"');
  const actedBefore = await serve.metric('laneguard_webhook_alerts_total', 'outcome="acted"');
  let cycling = true;
  const background = (async () => {
    while (cycling) await serve.cycle();
  })();
  const port = Number(new URL(serve.url).port);
  const post = postBytes(
    port,
    '/alertmanager/webhook',
    { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    alertPayload(),
  );
  const warmupMs: number[] = [];
  const latencyMs: number[] = [];
  await hookCalls(port, post, warmup + total, concurrency, (call, ms) =>
    (call < warmup ? warmupMs : latencyMs).push(ms),
  );
  cycling = false;
  await background;
  // The alert's cycle runs after the reply, coalesced with the cycles in flight: let it finish.
  let alertCycles = 0;
  for (let i = 0; i < 100; i++) {
    alertCycles =
      (await serve.metric('laneguard_cycles_total', 'trigger="alert"')) - alertCyclesBefore;
    if (alertCycles >= 1 && i >= 20) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const acted =
    (await serve.metric('laneguard_webhook_alerts_total', 'outcome="acted"')) - actedBefore;
  return { latencyMs, warmupMs, alertCycles, acted };
}

/** RSS at cycle `early` and at cycle `late` of back-to-back cycles with `changingRatio` of lanes touched. */
export async function rssPhase(
  serve: ServeChild,
  root: string,
  lanes: number,
  early: number,
  late: number,
  done: number,
  round: { n: number },
): Promise<{ early: number; late: number }> {
  let rssEarly = NaN;
  const changing = Math.max(1, Math.round(lanes * 0.01));
  for (let c = done; c < late; c++) {
    round.n++;
    for (let k = 0; k < changing; k++) touchLane(root, (round.n * changing + k) % lanes, round.n);
    await serve.cycle();
    if (c + 1 === early) rssEarly = serve.rss() ?? NaN;
  }
  return { early: rssEarly, late: serve.rss() ?? NaN };
}
