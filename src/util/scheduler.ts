import type { Clock } from './clock.js';

export interface Job {
  name: string;
  /** Current interval in seconds (read at every tick, so a reload takes effect at once). */
  intervalSec: () => number;
  run: () => Promise<unknown>;
  /** Run at the first tick instead of waiting one interval (default true). */
  immediate?: boolean;
}

interface JobState {
  job: Job;
  lastStart: number | null;
  running: Promise<void> | null;
}

export interface SchedulerOptions {
  /** How often the jobs are looked at, in real milliseconds (1000: one-second resolution). */
  tickMs?: number;
}

/**
 * The one scheduler of every laneguard daemon (`serve`, `watchdog run`, `heartbeat run`): interval
 * jobs looked at once per tick on a plain timer. A job runs when its interval has elapsed on the
 * injected clock, never overlapping itself; any positive interval works (cron fields cannot express
 * 45 s or 7 min). `stop()` ends the ticks and waits for the jobs in flight; `runUntil(signal)` is the
 * whole life of a daemon loop.
 */
export class IntervalScheduler {
  private readonly jobs: JobState[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly tickMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly onError: (job: string, error: Error) => void = () => undefined,
    options: SchedulerOptions = {},
  ) {
    this.tickMs = options.tickMs ?? 1000;
  }

  add(job: Job): void {
    this.jobs.push({ job, lastStart: null, running: null });
  }

  get started(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer) return;
    const loop = (): void => {
      this.tick();
      if (this.timer) this.timer = setTimeout(loop, this.tickMs);
    };
    this.timer = setTimeout(loop, this.tickMs);
    this.tick();
  }

  /** No more ticks; resolves once every job in flight has finished. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.idle();
  }

  /** Start, run until `signal` aborts, then stop (waiting for the jobs in flight). */
  async runUntil(signal: AbortSignal): Promise<void> {
    if (!signal.aborted) {
      this.start();
      await new Promise<void>((resolve) =>
        signal.addEventListener('abort', () => resolve(), { once: true }),
      );
    }
    await this.stop();
  }

  /** Resolves when no job is running. */
  async idle(): Promise<void> {
    for (;;) {
      const running = this.jobs.map((j) => j.running).filter((r): r is Promise<void> => r !== null);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /** One pass over the jobs (exposed so tests can drive it with a fake clock). */
  tick(): void {
    const now = this.clock.now().getTime();
    for (const state of this.jobs) {
      if (state.running) continue;
      // A wall clock stepped backwards (NTP, a resumed VM) makes the elapsed time negative: run now
      // and measure from here, instead of stalling every job until the clock catches up.
      const elapsed = state.lastStart === null ? null : now - state.lastStart;
      const due =
        elapsed === null
          ? state.job.immediate !== false
          : elapsed < 0 || elapsed >= state.job.intervalSec() * 1000;
      if (state.lastStart === null && state.job.immediate === false) state.lastStart = now;
      if (!due) continue;
      state.lastStart = now;
      state.running = state.job
        .run()
        .then(
          () => undefined,
          (err: unknown) => this.onError(state.job.name, err as Error),
        )
        .finally(() => {
          state.running = null;
        });
    }
  }

  get busy(): boolean {
    return this.jobs.some((j) => j.running !== null);
  }
}
