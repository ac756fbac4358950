import * as z from 'zod';
import { ALERT_ACTIONS, LANE_SOURCES } from '../domain/catalogues.js';

const positive = z.number().positive();
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().min(0);
export const argvSchema = z.array(z.string().min(1)).min(1, 'an argv needs at least the program');

const OUT = 'artifacts/autonomy/local_models';

export const lanesSectionSchema = z.strictObject({
  source: z.enum(LANE_SOURCES).default('orxaq'),
  lanes_file: z.string().min(1).default('config/lanes.json'),
  runtime_dir: z.string().min(1).default('artifacts/autonomy/lanes'),
  status_command: argvSchema.optional(),
  start_command: argvSchema.default([
    'python3',
    '-m',
    'orxaq_autonomy.cli',
    '--root',
    '{root}',
    'lane-start',
    '--lane',
    '{lane}',
  ]),
  ensure_command: argvSchema.default([
    'python3',
    '-m',
    'orxaq_autonomy.cli',
    '--root',
    '{root}',
    'lanes-ensure',
    '--json',
  ]),
  /** Stops one lane (a stalled lane's `restart_lane`); the lane's processes are verified gone after it. */
  stop_command: argvSchema.default([
    'python3',
    '-m',
    'orxaq_autonomy.cli',
    '--root',
    '{root}',
    'lane-stop',
    '--lane',
    '{lane}',
  ]),
  /** How long a stopped lane may take to exit before its process tree is terminated (TERM, then KILL). */
  stop_timeout_sec: positive.default(30),
  command_timeout_sec: positive.default(120),
  /** Regex a running lane's command line must match; `{lane}` stands for the escaped lane id. */
  cmdline_pattern: z.string().min(1).optional(),
});

export const backoffSchema = z.strictObject({
  initial_sec: positive.default(10),
  max_sec: positive.default(300),
  reset_after_sec: positive.default(600),
});

export const circuitBreakerSchema = z.strictObject({
  failures: positiveInt.default(5),
  window_sec: positive.default(600),
  open_sec: positive.default(900),
});

export const historySchema = z.strictObject({
  max_bytes: positiveInt.default(16 * 1024 * 1024),
  keep_files: nonNegativeInt.default(5),
});

export const serverSchema = z.strictObject({
  listen: z.string().min(1).default('127.0.0.1:9477'),
  token_file: z.string().min(1).optional(),
  basic_auth: z
    .strictObject({ username: z.string().min(1), password_file: z.string().min(1) })
    .optional(),
  body_limit_bytes: positiveInt.default(1024 * 1024),
});

export const webhookActionSchema = z.enum(ALERT_ACTIONS);

export const webhookSchema = z.strictObject({
  routes: z
    .array(
      z.strictObject({
        match: z.record(z.string(), z.string()),
        action: webhookActionSchema,
      }),
    )
    .default([]),
  dedupe_window_sec: positive.default(300),
  instance: z.string().min(1).optional(),
  ledger_file: z.string().min(1).default(`${OUT}/webhook_ledger.json`),
});

export const guardSchema = z.strictObject({
  /** Every config file of the replaced system may carry a format version; only 1 exists. */
  version: z.literal(1, { error: 'must be 1 (the only format version)' }).optional(),
  // Keys of the system laneguard replaces, same meaning and defaults.
  enabled: z.boolean().default(true),
  interval_sec: positive.default(30),
  fleet_probe_interval_sec: positive.default(120),
  fleet_capability_scan_interval_sec: positive.default(600),
  minimum_healthy_endpoints: nonNegativeInt.default(1),
  auto_unpause_local_lanes: z.boolean().default(true),
  stale_manual_pause_sec: positive.default(600),
  max_auto_starts_per_cycle: nonNegativeInt.default(4),
  allow_blocked_recovery: z.boolean().default(true),
  require_local_only: z.boolean().default(true),
  require_pending_work: z.boolean().default(true),
  queue_depth_enables_start: z.boolean().default(true),
  idle_alert_threshold_cycles: positiveInt.default(6),
  lane_id_allowlist: z.array(z.string()).default([]),
  lane_id_denylist: z.array(z.string()).default([]),
  report_file: z.string().min(1).default(`${OUT}/idle_guard_report.json`),
  state_file: z.string().min(1).default(`${OUT}/idle_guard_state.json`),
  history_file: z.string().min(1).default(`${OUT}/idle_guard_history.ndjson`),
  fleet_status_file: z.string().min(1).default(`${OUT}/fleet_status.json`),
  // New keys.
  mode: z.enum(['autonomous', 'alert', 'hybrid']).default('hybrid'),
  dry_run: z.boolean().default(false),
  start_verify_sec: z.number().min(0).default(5),
  ensure_interval_sec: positive.default(300),
  healthy_after: positiveInt.default(1),
  unhealthy_after: positiveInt.default(2),
  probe_concurrency: positiveInt.default(32),
  escalate_command: argvSchema.optional(),
  escalate_min_interval_sec: positive.default(1800),
  pid_file: z.string().min(1).default(`${OUT}/idle_guard.pid`),
  log_file: z.string().min(1).default(`${OUT}/idle_guard.log`),
  lock_file: z.string().min(1).default(`${OUT}/idle_guard.lock`),
  cleared_pauses_dir: z.string().min(1).default(`${OUT}/cleared_pauses`),
  heartbeat_state_file: z.string().min(1).default(`${OUT}/heartbeat_state.json`),
  watchdog_config_file: z.string().min(1).default('config/local_model_process_watchdog.json'),
  /** `serve` restarts a dead watchdog (mutual supervision); turn off when systemd supervises it. */
  supervise_watchdog: z.boolean().default(true),
  /** A running lane whose heartbeat and work counts have not moved for this long is stalled. */
  stalled_after_sec: positive.default(900),
  /** Whether scheduled and manual cycles restart stalled lanes (a `restart_lane` alert does in alert/hybrid). */
  restart_stalled: z.boolean().default(false),
  max_auto_restarts_per_cycle: nonNegativeInt.default(1),
  lanes: lanesSectionSchema.prefault({}),
  backoff: backoffSchema.prefault({}),
  circuit_breaker: circuitBreakerSchema.prefault({}),
  history: historySchema.prefault({}),
  server: serverSchema.prefault({}),
  webhook: webhookSchema.prefault({}),
});

export type GuardConfig = z.infer<typeof guardSchema>;

/** Keys of the replaced system that rewrote another system's task state; accepted, never acted on. */
export const NOT_PERFORMED_PREFIXES = ['revive_', 'backlog_recycle_'] as const;

/** The original's minimum intervals: `config check` warns below them, nothing clamps. */
export const ORIGINAL_MINIMUMS: Record<string, number> = {
  interval_sec: 5,
  fleet_probe_interval_sec: 30,
  fleet_capability_scan_interval_sec: 60,
};
