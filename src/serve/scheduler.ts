import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../util/clock.js';

export interface Job {
  name: string;
  /** Current interval in seconds (read at every tick, so a reload takes effect at once). */
  intervalSec: () => number;
  run: () => Promise<unknown>;
  /** Run at the first tick instead of waiting one interval. */
  immediate?: boolean;
}

interface JobState {
  job: Job;
  lastStart: number | null;
  running: boolean;
}

/**
 * Interval jobs on one node-cron tick per second. Each job runs when its interval has elapsed on the
 * injected clock, never overlapping itself; any positive interval works (cron fields cannot express
 * 45 s or 7 min), at one-second resolution.
 */
export class IntervalScheduler {
  private readonly jobs: JobState[] = [];
  private task: ScheduledTask | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly onError: (job: string, error: Error) => void = () => undefined,
  ) {}

  add(job: Job): void {
    this.jobs.push({ job, lastStart: null, running: false });
  }

  start(): void {
    if (this.task) return;
    this.task = cron.schedule('* * * * * *', () => this.tick(), { name: 'laneguard-tick', noOverlap: false });
    this.tick();
  }

  async stop(): Promise<void> {
    const task = this.task;
    this.task = null;
    if (task) await task.destroy();
  }

  /** One pass over the jobs (exposed so tests can drive it with a fake clock). */
  tick(): void {
    const now = this.clock.now().getTime();
    for (const state of this.jobs) {
      if (state.running) continue;
      // A wall clock stepped backwards (NTP, a resumed VM) makes the elapsed time negative: run now
      // and measure from here, instead of stalling every job until the clock catches up.
      const elapsed = state.lastStart === null ? null : now - state.lastStart;
      const due = elapsed === null ? state.job.immediate !== false : elapsed < 0 || elapsed >= state.job.intervalSec() * 1000;
      if (state.lastStart === null && state.job.immediate === false) state.lastStart = now;
      if (!due) continue;
      state.running = true;
      state.lastStart = now;
      state.job
        .run()
        .catch((err: unknown) => this.onError(state.job.name, err as Error))
        .finally(() => {
          state.running = false;
        });
    }
  }

  get busy(): boolean {
    return this.jobs.some((j) => j.running);
  }
}
