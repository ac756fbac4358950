// Which watchdog entries are laneguard's own daemons. The replaced system's shipped watchdog config
// supervises its guard through the very pid file laneguard's serve writes, and its LM Studio
// heartbeat; run as configured, those entries would start the old guard next to laneguard (two
// guards on one root). Such entries are laneguard's serve and heartbeat instead. Pure.

export type ProcessRole = 'configured' | 'guard' | 'heartbeat';

/** Names of the replaced guard and heartbeat in command lines, make targets and regexes. */
export const OLD_GUARD_PATTERN = /local_model_idle_guard|local-idle-guard/;
export const OLD_HEARTBEAT_PATTERN = /lmstudio_remote_heartbeat|remote-heartbeat/;
/** Their processes, by script name (a `make local-idle-guard-…` that runs laneguard is not the old guard). */
export const OLD_GUARD_PROCESS = /local_model_idle_guard/;
export const OLD_HEARTBEAT_PROCESS = /lmstudio_remote_heartbeat/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A laneguard command line (`node …/main.js …` or the `laneguard` bin) running `words` for this root:
 * `--root ROOT`, or no `--root` at all (then its working directory is the root; the pid file is
 * this root's, so that is the only laneguard that writes it).
 */
function ownCommandMatch(root: string, words: string): string {
  const r = escapeRegExp(root.replace(/\/+$/, ''));
  // The program is argv[0], or argv[1] after node and its flags: a path merely ending in
  // /laneguard further along the line does not make a command laneguard's.
  return String.raw`^(?:\S*node\S*\s+(?:-\S+\s+)*)?(?:\S*/)?(?:main\.js|laneguard)(?:\s(?:.*\s)?--root[ =]${r}/?\s(?:.*\s)?|(?!.*\s--root[ =])\s(?:.*\s)?)${words}(?:\s|$)`;
}

export function laneguardServeMatch(root: string): string {
  return ownCommandMatch(root, 'serve');
}

export function laneguardHeartbeatMatch(root: string): string {
  return ownCommandMatch(root, String.raw`heartbeat\s+run`);
}

/** serve needs a moment to load its config and bind its port before it writes its pid file. */
export const MIN_SERVE_STARTUP_GRACE_SEC = 10;

export interface RoleInput {
  match_regex: string;
  restart_command: readonly string[];
  /** Resolved pid file of the entry, and of laneguard's serve (the guard config's `pid_file`). */
  pidFile: string;
  guardPidFile: string;
}

/**
 * An entry is the guard when its pid file is laneguard's guard pid file or it names the old guard;
 * it is the heartbeat when it names the old heartbeat. Everything else runs as configured.
 */
export function processRole(entry: RoleInput): ProcessRole {
  const text = [entry.match_regex, ...entry.restart_command].join(' ');
  if (entry.pidFile === entry.guardPidFile || OLD_GUARD_PATTERN.test(text)) return 'guard';
  if (OLD_HEARTBEAT_PATTERN.test(text)) return 'heartbeat';
  return 'configured';
}

/** What laneguard does with an entry, in words (watchdog status, config check, migrate). */
export function describeRole(role: ProcessRole): string {
  switch (role) {
    case 'guard':
      return "laneguard's own serve: restarted with `laneguard start`, never with the entry's restart_command";
    case 'heartbeat':
      return "laneguard's own heartbeat: restarted as `laneguard heartbeat run`, never with the entry's restart_command";
    case 'configured':
      return 'supervised as configured';
  }
}
