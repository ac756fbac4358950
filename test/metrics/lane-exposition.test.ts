// The lane families written from the cycle result say exactly what prom-client gauges said for the
// same lanes: the oracle below sets gauges the way publish.ts did before the writer replaced them.
import { spawnSync } from 'node:child_process';
import request from 'supertest';
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { backoffRemainingSec, crashLooping, startFailing } from '../../src/core/guard/backoff.js';
import type { LaneSnapshot } from '../../src/domain/types.js';
import type { CycleResult } from '../../src/guard/cycle.js';
import { stalledAfter } from '../../src/guard/report.js';
import { writeLaneFamilies } from '../../src/metrics/lane-exposition.js';
import { LANE_FAMILIES } from '../../src/metrics/lane-families.js';
import { publishCycle } from '../../src/metrics/publish.js';
import { createMetrics } from '../../src/metrics/registry.js';
import { renderMetrics } from '../../src/metrics/render.js';
import { parseExposition } from '../helpers/exposition.js';
import { useModelServer } from '../helpers/model-server.js';
import { sandboxService } from '../helpers/service.js';

const models = useModelServer();
const NOW = new Date('2026-06-01T12:00:00.000Z');
const HOSTILE = [
  'plain',
  'quote"d',
  'back\\slash',
  'new\nline',
  'all\\"\n\\n',
  'brace},x="y"',
  'ünïcødé 🚀',
  '',
];

/** The lane gauges as registry.ts defined them and publish.ts set them, rendered by prom-client. */
async function oracle(result: CycleResult, now: Date, openMetrics: boolean): Promise<string> {
  const registry = new Registry<
    typeof Registry.OPENMETRICS_CONTENT_TYPE | typeof Registry.PROMETHEUS_CONTENT_TYPE
  >();
  registry.setContentType(
    openMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE,
  );
  // The definitions as registry.ts held them, verbatim: the HELP texts are checked against these.
  const g = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge<L>({ name: `laneguard_${name}`, help, labelNames, registers: [registry] });
  const laneInfo = g('lane_info', 'Static facts about a lane (always 1).', [
    'lane',
    'owner',
    'local_only',
  ]);
  const laneRunning = g(
    'lane_running',
    'Whether the lane runs: its pid is alive and its command line matches the lane.',
    ['lane'],
  );
  const lanePaused = g('lane_paused', 'Whether the lane has a paused.flag.', ['lane']);
  const lanePauseAge = g(
    'lane_pause_age_seconds',
    'Age of the pause flag; present only while the lane is paused.',
    ['lane'],
  );
  const lanePauseStale = g(
    'lane_pause_stale',
    'Whether the pause is manual, not held and older than stale_manual_pause_sec.',
    ['lane'],
  );
  const lanePauseHeld = g(
    'lane_pause_held',
    'Whether the pause is an operator hold (never cleared automatically).',
    ['lane'],
  );
  const laneWork = g('lane_work_items', 'Work items of the lane by state.', ['lane', 'state']);
  const laneHeartbeatAge = g(
    'lane_heartbeat_age_seconds',
    'Age of the lane heartbeat; absent when the lane has none.',
    ['lane'],
  );
  const laneStarved = g(
    'lane_starved',
    'Whether the lane is stopped with work while one of its endpoints is healthy and it is not held.',
    ['lane'],
  );
  const laneStalled = g(
    'lane_stalled',
    'Whether the lane runs but is stalled: heartbeat and work counts unchanged for stalled_after_sec.',
    ['lane'],
  );
  const laneBackoff = g(
    'lane_backoff_seconds',
    'Seconds left in the lane crash-loop backoff (0 when none).',
    ['lane'],
  );
  const laneCrashLoop = g(
    'lane_crash_loop',
    'Whether the lane started and died soon after, 3 times in a row (anomaly lane_crash_loop).',
    ['lane'],
  );
  const laneStartFailing = g(
    'lane_start_failing',
    "Whether the lane's start command failed 3 times in a row (anomaly start_failing).",
    ['lane'],
  );
  const b = (v: boolean): number => (v ? 1 : 0);
  const stalled = stalledAfter(result.report);
  const decisions = new Map(result.plan.decisions.map((d) => [d.id, d]));
  const startedIds = new Set(result.report.started.filter((s) => !s.dry_run).map((s) => s.id));
  const crashLoop = new Set(crashLooping(result.state));
  const startFails = new Set(startFailing(result.state));
  for (const lane of result.lanes) {
    const l = { lane: lane.id };
    laneInfo.set({ lane: lane.id, owner: lane.owner, local_only: String(lane.localOnly) }, 1);
    laneRunning.set(l, b(lane.running));
    lanePaused.set(l, b(lane.paused));
    if (lane.pause) lanePauseAge.set(l, lane.pause.ageSec);
    lanePauseStale.set(l, b(lane.pause?.stale ?? false));
    lanePauseHeld.set(l, b(lane.pause?.held ?? false));
    for (const [state, n] of Object.entries(lane.work)) laneWork.set({ lane: lane.id, state }, n);
    if (lane.heartbeatAgeSec !== null) laneHeartbeatAge.set(l, lane.heartbeatAgeSec);
    laneStarved.set(
      l,
      b((decisions.get(lane.id)?.starved ?? false) && !lane.running && !startedIds.has(lane.id)),
    );
    laneStalled.set(l, b(stalled.has(lane.id)));
    laneBackoff.set(l, backoffRemainingSec(result.state.lanes[lane.id], now));
    laneCrashLoop.set(l, b(crashLoop.has(lane.id)));
    laneStartFailing.set(l, b(startFails.has(lane.id)));
  }
  return registry.metrics();
}

/** A real cycle's result, its lanes renamed to hostile ids and owners with every optional value varied. */
async function hostileResult(): Promise<CycleResult> {
  const url = models.server.baseUrl;
  const { service } = sandboxService({
    endpoints: [{ id: 'lm', base_url: url }],
    lanes: [{ id: 'l1', urls: [url], pending: 2 }],
    guard: { dry_run: true },
  });
  const real = await service.cycle({ trigger: 'manual' });
  const base = real.lanes[0]!;
  const lanes: LaneSnapshot[] = HOSTILE.map((id, i) => ({
    ...base,
    id,
    owner: HOSTILE[(i + 3) % HOSTILE.length]!,
    localOnly: i % 2 === 0,
    running: i % 3 === 0,
    paused: i % 2 === 1,
    pause:
      i % 2 === 1
        ? { message: 'm', ageSec: 12.5 * i, manual: true, held: i === 3, stale: i === 5 }
        : null,
    work: { pending: i, in_progress: 1, blocked: 0, done: 1e21, queued: 0.1 },
    heartbeatAgeSec: i % 4 === 0 ? null : i * 1.25,
  }));
  const backoffEntry = (failures: number, startFailures: number) => ({
    failures,
    start_failures: startFailures,
    backoff_until: new Date(NOW.getTime() + 90_500).toISOString(),
    last_start_at: null,
    awaiting_exit: false,
  });
  const state = {
    ...real.state,
    lanes: {
      [HOSTILE[1]!]: backoffEntry(3, 0),
      [HOSTILE[3]!]: backoffEntry(3, 3),
      [HOSTILE[4]!]: backoffEntry(1, 0),
    },
  };
  const decisions = HOSTILE.map((id, i) => ({
    ...real.plan.decisions[0]!,
    id,
    starved: i % 3 !== 0,
  }));
  const report = {
    ...real.report,
    stalled: [{ ...(real.report.stalled[0] ?? {}), id: HOSTILE[2]! }] as typeof real.report.stalled,
  };
  return { ...real, lanes, state, plan: { ...real.plan, decisions }, report };
}

describe('lane families written from the cycle result', () => {
  for (const openMetrics of [false, true]) {
    it(`match prom-client's gauges for the same lanes, hostile ids and owners included (${openMetrics ? 'OpenMetrics' : 'text format'})`, async () => {
      const result = await hostileResult();
      const chunks: Buffer[] = [];
      await writeLaneFamilies({ result, now: NOW }, openMetrics, (c) => chunks.push(c));
      // Every chunk is whole lines of UTF-8: it decodes on its own (a strict decoder throws on a
      // character cut in two).
      const strict = new TextDecoder('utf-8', { fatal: true });
      for (const chunk of chunks) expect(strict.decode(chunk)).toMatch(/\n$/);
      const writtenText = Buffer.concat(chunks).toString();
      const expectedText = await oracle(result, NOW, openMetrics);
      const written = parseExposition(writtenText);
      const expected = parseExposition(expectedText);
      expect(written.samples).toEqual(expected.samples);
      expect(written.samples.length).toBeGreaterThan(HOSTILE.length * 15);
      expect([...written.meta]).toEqual([...expected.meta]);
      // The values that needed escaping came back intact.
      // Same order too: byte for byte what prom-client wrote (in OpenMetrics it adds the # EOF).
      expect(writtenText).toBe(openMetrics ? expectedText.replace(/# EOF\n$/, '') : expectedText);
      for (const id of HOSTILE)
        expect(written.samples).toContain(
          `laneguard_lane_running{${JSON.stringify(['lane', id])}} ${HOSTILE.indexOf(id) % 3 === 0 ? 1 : 0}`,
        );
    });
  }

  it('a scrape with the same lane values sends the last chunks again; a changed value rewrites its family, and every scrape reads as the gauges did', async () => {
    const scrape = async (result: CycleResult): Promise<{ chunks: Buffer[]; text: string }> => {
      const chunks: Buffer[] = [];
      await writeLaneFamilies({ result, now: NOW }, false, (c) => chunks.push(c));
      return { chunks, text: Buffer.concat(chunks).toString() };
    };
    // The lines of one family: the chunks written between its HELP and the next family's.
    const familyChunks = (chunks: Buffer[], name: string): Buffer[] => {
      const at = chunks.findIndex((c) => c.toString().includes(`# TYPE ${name} gauge`));
      const end = chunks.findIndex((c, k) => k > at && c.toString().includes('# TYPE '));
      return chunks.slice(at + 1, end < 0 ? undefined : end);
    };
    const first = await hostileResult();
    const a = await scrape(first);
    const b = await scrape(first);
    expect(b.text).toBe(a.text);
    expect(b.text).toBe(await oracle(first, NOW, false));
    const running = familyChunks(b.chunks, 'laneguard_lane_running');
    expect(running.length).toBeGreaterThan(0);
    expect(running.every((c) => a.chunks.includes(c))).toBe(true);

    // Lane 0 stops; lane 1's counts change inside the very same work object.
    const lanes = first.lanes.map((l) => ({ ...l, work: { ...l.work } }));
    const second = { ...first, lanes };
    const c0 = await scrape(second);
    expect(c0.text).toBe(a.text);
    lanes[0] = { ...lanes[0]!, running: !lanes[0]!.running };
    lanes[1]!.work.pending += 5;
    const c = await scrape(second);
    expect(c.text).toBe(await oracle(second, NOW, false));
    expect(c.text).not.toBe(a.text);
    for (const [name, rewritten] of [
      ['laneguard_lane_running', true],
      ['laneguard_lane_work_items', true],
      ['laneguard_lane_paused', false],
    ] as const) {
      const lines = familyChunks(c.chunks, name);
      expect(lines.length).toBeGreaterThan(0);
      expect(
        lines.some((chunk) => !c0.chunks.includes(chunk)),
        name,
      ).toBe(rewritten);
    }

    // Frozen counts (as the orxaq adapter hands them) are keyed by the object: the same object,
    // the same lines; another object with other counts, written anew.
    const frozen = lanes.map((l) => ({ ...l, work: Object.freeze({ ...l.work }) }));
    const third = { ...second, lanes: frozen };
    const d0 = await scrape(third);
    const d1 = await scrape(third);
    expect(d1.text).toBe(d0.text);
    const work = familyChunks(d1.chunks, 'laneguard_lane_work_items');
    expect(work.every((chunk) => d0.chunks.includes(chunk))).toBe(true);
    frozen[0] = { ...frozen[0]!, work: Object.freeze({ ...frozen[0]!.work, blocked: 7 }) };
    const d2 = await scrape(third);
    expect(d2.text).toBe(await oracle(third, NOW, false));
    expect(d2.text).toContain(`laneguard_lane_work_items{lane="${HOSTILE[0]}",state="blocked"} 7`);

    // A lane fewer, or the same lanes in another order: all written anew where they differ.
    for (const next of [
      { ...second, lanes: lanes.slice(1) },
      { ...second, lanes: [...lanes].reverse() },
    ])
      expect((await scrape(next)).text).toBe(await oracle(next, NOW, false));
  });

  it('rows are kept for their source: the same source reads the same, a new one (a later time) anew', async () => {
    const result = await hostileResult();
    const scrape = async (source: { result: CycleResult; now: Date }): Promise<string> => {
      const chunks: Buffer[] = [];
      await writeLaneFamilies(source, false, (c) => chunks.push(c));
      return Buffer.concat(chunks).toString();
    };
    const source = { result, now: NOW };
    const first = await scrape(source);
    expect(first).toBe(await oracle(result, NOW, false));
    expect(await scrape(source)).toBe(first);
    const later = new Date(NOW.getTime() + 30_000);
    const next = await scrape({ result, now: later });
    expect(next).toBe(await oracle(result, later, false));
    // HOSTILE[1] backs off until NOW + 90.5 s.
    expect(first).toContain('laneguard_lane_backoff_seconds{lane="quote\\"d"} 91\n');
    expect(next).toContain('laneguard_lane_backoff_seconds{lane="quote\\"d"} 61\n');
  });

  it('before any cycle: HELP and TYPE of every lane family, no samples, as the empty gauges rendered', async () => {
    const chunks: Buffer[] = [];
    await writeLaneFamilies(null, false, (c) => chunks.push(c));
    const written = Buffer.concat(chunks).toString();
    expect(parseExposition(written).samples).toEqual([]);
    expect(written.match(/^# TYPE laneguard_lane_\w+ gauge$/gm)).toHaveLength(LANE_FAMILIES.length);
  });

  it('a whole scrape holds each lane family once; the text format passes promtool, OpenMetrics ends in one # EOF', async () => {
    const m = createMetrics({ version: 't', defaultMetrics: false });
    publishCycle(m, await hostileResult(), NOW);
    const text = (await renderMetrics(m, false)).body;
    const open = (await renderMetrics(m, true)).body;
    for (const body of [text, open])
      for (const f of LANE_FAMILIES)
        expect(body.match(new RegExp(`^# TYPE ${f.name} gauge$`, 'gm')), f.name).toHaveLength(1);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
    expect(text).not.toContain('# EOF');
    expect(open.endsWith('\n# EOF\n')).toBe(true);
    expect(open.match(/^# EOF$/gm)).toHaveLength(1);
    expect(open).not.toMatch(/\n\n/);
    expect(open).toMatch(/^# TYPE laneguard_cycles counter$/m);
    expect(open).toMatch(/^laneguard_cycles_total\{trigger="manual",result="ok"\} 1$/m);
    // The same samples in both formats (OpenMetrics names counter samples with _total too).
    expect(parseExposition(open).samples).toEqual(parseExposition(text).samples);
  });

  it('GET /metrics sends the same exposition in chunks, in both formats', async () => {
    const url = models.server.baseUrl;
    const { service } = sandboxService({
      endpoints: [{ id: 'lm', base_url: url }],
      lanes: [
        { id: 'l1', urls: [url], pending: 2 },
        { id: 'l2', urls: [url] },
      ],
      guard: { dry_run: true },
    });
    await service.cycle({ trigger: 'manual' });
    const app = createApp(service);
    for (const openMetrics of [false, true]) {
      const res = await request(app)
        .get('/metrics')
        .set('accept', openMetrics ? 'application/openmetrics-text; version=1.0.0' : '*/*')
        .expect(200);
      const rendered = await renderMetrics(service.metrics, openMetrics);
      expect(res.headers['content-type']).toBe(rendered.contentType);
      // Process metrics (uptime, CPU) move between two renders: compare everything else.
      const stable = (body: string) =>
        parseExposition(body).samples.filter((line) => line.startsWith('laneguard_'));
      expect(stable(res.text)).toEqual(stable(rendered.body));
      expect(stable(res.text)).toContain(
        `laneguard_lane_work_items{${JSON.stringify(['lane', 'l1'])},${JSON.stringify(['state', 'pending'])}} 2`,
      );
      if (openMetrics) expect(res.text.endsWith('\n# EOF\n')).toBe(true);
    }
  });
});
