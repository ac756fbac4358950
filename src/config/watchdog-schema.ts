import * as z from 'zod';

const positive = z.number().positive();
const positiveInt = z.number().int().positive();
const nonNegative = z.number().min(0);

export const PROCESS_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const WATCHDOG_CONFIG_FILE = 'config/local_model_process_watchdog.json';
const OUT = 'artifacts/autonomy/local_models';

/** `{"http": url}` or `{"file": path, "max_age_sec": n}`; one object so unknown keys get "did you mean". */
export const healthSchema = z
  .strictObject({
    http: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    file: z.string().min(1).optional(),
    max_age_sec: positive.optional(),
    timeout_sec: positive.default(5),
  })
  .superRefine((health, ctx) => {
    if ((health.http === undefined) === (health.file === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'set exactly one of "http" (a URL that answers 2xx when healthy) or "file" (with "max_age_sec")',
      });
    }
    if (health.file !== undefined && health.max_age_sec === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['max_age_sec'],
        message:
          'is required with "file": the oldest the file may get before the process counts as hung',
      });
    }
    if (health.http !== undefined && health.max_age_sec !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['max_age_sec'],
        message: 'only applies to "file"; remove it',
      });
    }
  });

export const watchdogBackoffSchema = z.strictObject({
  initial_sec: positive.default(10),
  max_sec: positive.default(300),
  jitter_ratio: z.number().min(0).max(1).default(0.2),
});

export const startLimitSchema = z.strictObject({
  burst: positiveInt.default(5),
  interval_sec: positive.default(600),
});

export const processSchema = z.strictObject({
  id: z.string().regex(PROCESS_ID, 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  enabled: z.boolean().default(true),
  pid_file: z.string().min(1),
  /** Matched against the command line (argv joined by spaces) of the pid in `pid_file`. */
  match_regex: z.string().min(1),
  restart_command: z.array(z.string().min(1)).min(1, 'an argv needs at least the program'),
  cwd: z.string().min(1).default('.'),
  log_file: z.string().min(1).optional(),
  restart_cooldown_sec: nonNegative.default(30),
  startup_grace_sec: nonNegative.default(10),
  /** Between TERM and KILL when a hung process is stopped. */
  stop_grace_sec: nonNegative.default(10),
  health: healthSchema.optional(),
  backoff: watchdogBackoffSchema.prefault({}),
  start_limit: startLimitSchema.prefault({}),
});

export const watchdogSchema = z.strictObject({
  version: z.literal(1, { error: 'must be 1 (the only format version)' }).optional(),
  interval_sec: positive.default(30),
  state_file: z.string().min(1).default(`${OUT}/process_watchdog_state.json`),
  history_file: z.string().min(1).default(`${OUT}/process_watchdog_history.ndjson`),
  pid_file: z.string().min(1).default(`${OUT}/process_watchdog.pid`),
  log_file: z.string().min(1).default(`${OUT}/process_watchdog.log`),
  lock_file: z.string().min(1).default(`${OUT}/process_watchdog.lock`),
  history: z
    .strictObject({
      max_bytes: positiveInt.default(16 * 1024 * 1024),
      keep_files: z.number().int().min(0).default(5),
    })
    .prefault({}),
  processes: z.array(processSchema).default([]),
});

export type WatchdogFileConfig = z.infer<typeof watchdogSchema>;
export type ProcessFileConfig = z.infer<typeof processSchema>;
