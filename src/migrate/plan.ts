// `laneguard migrate`: what laneguard reads of a fleet of the replaced system, what it does with
// each part, and the few rewrites that make the root laneguard's. Gathering reads files and the
// process table; nothing here writes.
import { existsSync, statSync } from 'node:fs';
import { READ_CAPS, readCappedText } from '../store/bounded-read.js';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { loadWatchdogConfig, watchdogConfigFile, type WatchdogConfig } from '../config/watchdog.js';
import { findProgram } from '../config/watchdog-check.js';
import { describeRole, OLD_HEARTBEAT_PROCESS } from '../config/watchdog-roles.js';
import { ConfigError } from '../config/errors.js';
import { createLaneAdapter } from '../lanes/factory.js';
import { replacedGuardMessage, replacedGuardRunning } from '../serve/replaced-guard.js';
import { commandLineOf, readPid } from '../process/index.js';
import { laneguardMain } from '../util/self.js';
import { findTargets, repointMakefile } from './makefile.js';

export type ItemStatus = 'ok' | 'info' | 'rewrite' | 'operator';
export type Area = 'files' | 'not_performed' | 'watchdog' | 'processes' | 'makefile' | 'services';

export interface PlanItem {
  area: Area;
  subject: string;
  status: ItemStatus;
  message: string;
  /** Lines to put in place (Makefile recipes). */
  lines?: string[];
}

export interface Rewrite {
  file: string;
  content: string;
}

export interface Plan {
  root: string;
  items: PlanItem[];
  rewrites: Rewrite[];
  /** Items only the operator can settle (exit 1). */
  blocking: number;
}

/** How this laneguard is run here, for Makefile recipes: the bin on PATH, else node + entry point. */
export function laneguardCommand(env: NodeJS.ProcessEnv): string {
  return findProgram('laneguard', process.cwd(), env)
    ? 'laneguard'
    : `"${process.execPath}" "${laneguardMain()}"`;
}

const isDir = (dir: string): boolean => {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
};

async function fileItems(root: string, env: NodeJS.ProcessEnv): Promise<PlanItem[]> {
  const config = loadConfig({ root, env });
  const items: PlanItem[] = [
    {
      area: 'files',
      subject: 'config/local_model_idle_guard.json',
      status: 'ok',
      message: existsSync(config.paths.guardConfig) ? 'read as is' : 'absent: the defaults apply',
    },
    {
      area: 'files',
      subject: 'config/local_model_fleet.json',
      status: 'ok',
      message: `read as is: ${config.endpoints.length} endpoint(s); other sections (routing, benchmark, …) are left to their tools`,
    },
  ];
  const read = await createLaneAdapter(config).read(new Date());
  const lanesFile = path.relative(root, config.paths.lanesFile);
  items.push(
    read.errors.length === 0
      ? {
          area: 'files',
          subject: lanesFile,
          status: 'ok',
          message: `read as is: ${read.lanes.length} lane(s); keys laneguard does not use are left alone`,
        }
      : {
          area: 'files',
          subject: lanesFile,
          status: 'operator',
          message: `${read.errors.length} lane(s) cannot be read: ${read.errors.map((e) => `${e.id}: ${e.error}`).join('; ')}`,
        },
  );
  for (const key of config.notPerformed) {
    items.push({
      area: 'not_performed',
      subject: key,
      status: 'info',
      message:
        "accepted but not performed (laneguard never rewrites a lane's task state); escalate_command is the replacement",
    });
  }
  return items;
}

function watchdogItems(
  root: string,
  config: WatchdogConfig,
): { items: PlanItem[]; rewrite: Rewrite | null } {
  const items: PlanItem[] = [
    {
      area: 'files',
      subject: config.file,
      status: 'ok',
      message: `read as is: ${config.processes.length} process(es)`,
    },
  ];
  const absolute = watchdogConfigFile(root);
  const raw = JSON.parse(readCappedText(absolute, READ_CAPS.config)) as {
    processes?: Array<Record<string, unknown>>;
  };
  let changed = false;
  config.processes.forEach((p, i) => {
    const entry = raw.processes?.[i];
    const does = p.enabled
      ? describeRole(p.role)
      : (p.note ?? 'disabled in config (enabled: false)');
    const configuredCwd = typeof entry?.cwd === 'string' ? entry.cwd : '.';
    const cwdHere = isDir(path.resolve(root, configuredCwd));
    items.push({
      area: 'watchdog',
      subject: p.id,
      status: 'info',
      message: p.replaced
        ? `${does}; its restart_command ${JSON.stringify(p.replaced.restartCommand)} is never run`
        : does,
    });
    if (!cwdHere && entry) {
      entry.cwd = '.';
      changed = true;
      items.push({
        area: 'watchdog',
        subject: `${p.id}.cwd`,
        status: 'rewrite',
        message: `${configuredCwd} does not exist here: becomes "." (the fleet root)`,
      });
    }
  });
  return {
    items,
    rewrite: changed ? { file: absolute, content: `${JSON.stringify(raw, null, 2)}\n` } : null,
  };
}

function oldProcessItems(
  root: string,
  guardPidFile: string,
  watchdog: WatchdogConfig | null,
): PlanItem[] {
  const items: PlanItem[] = [];
  const guard = replacedGuardRunning(root, guardPidFile);
  if (guard)
    items.push({
      area: 'processes',
      subject: 'replaced guard',
      status: 'operator',
      message: `${replacedGuardMessage(guard)}; stop it before the Makefile is repointed (afterwards \`make local-idle-guard-stop\` stops laneguard)`,
    });
  for (const p of watchdog?.processes.filter((s) => s.role === 'heartbeat') ?? []) {
    const pid = readPid(p.pidFile);
    const cmdline = pid !== null ? (commandLineOf(pid) ?? '') : '';
    if (pid !== null && OLD_HEARTBEAT_PROCESS.test(cmdline)) {
      items.push({
        area: 'processes',
        subject: 'replaced heartbeat',
        status: 'operator',
        message: `the heartbeat laneguard replaces runs (pid ${pid}); stop it (\`kill ${pid}\`) and set "heartbeat": true (with "keep_warm": {"model": …}) on the endpoints it kept warm`,
      });
    }
  }
  if (items.length === 0)
    items.push({
      area: 'processes',
      subject: 'replaced guard',
      status: 'ok',
      message: 'not running on this root',
    });
  return items;
}

function makefileItems(
  root: string,
  command: string,
): { items: PlanItem[]; rewrite: Rewrite | null } {
  const file = path.join(root, 'Makefile');
  if (!existsSync(file))
    return {
      items: [
        {
          area: 'makefile',
          subject: 'Makefile',
          status: 'info',
          message: 'no Makefile in the root: nothing to repoint',
        },
      ],
      rewrite: null,
    };
  const text = readCappedText(file, READ_CAPS.config);
  const items: PlanItem[] = findTargets(text).map((t) =>
    t.repointed
      ? { area: 'makefile', subject: t.target, status: 'ok', message: 'already runs laneguard' }
      : {
          area: 'makefile',
          subject: t.target,
          status: 'rewrite',
          message: `recipe ${JSON.stringify(t.recipe.join('; '))} becomes:`,
          lines: [`${t.target}:`, `\t${t.replacement}`],
        },
  );
  const next = repointMakefile(text, command);
  const pending = items.some((i) => i.status === 'rewrite');
  if (pending)
    items.push({
      area: 'makefile',
      subject: 'LANEGUARD',
      status: 'info',
      message: `how the recipes run laneguard: LANEGUARD ?= ${command} (override with make LANEGUARD=…)`,
    });
  return { items, rewrite: pending ? { file, content: next } : null };
}

const SERVICE_STEPS: PlanItem[] = [
  {
    area: 'services',
    subject: 'systemd',
    status: 'info',
    message:
      "remove or disable the old guard's units and crontab lines; install deploy/systemd/laneguard-serve.service and laneguard-watchdog.service with --root set to this root (then set supervise_watchdog: false), or keep `laneguard start`",
  },
  {
    area: 'services',
    subject: 'launchd',
    status: 'info',
    message:
      "on macOS, unload the old guard's LaunchAgent and load one that runs `laneguard --root ROOT serve` with KeepAlive true",
  },
];

/** Read a root and build the plan. Config errors throw (exit 2). */
export async function buildPlan(root: string, env: NodeJS.ProcessEnv): Promise<Plan> {
  const items = await fileItems(root, env);
  const rewrites: Rewrite[] = [];
  let watchdog: WatchdogConfig | null = null;
  try {
    watchdog = loadWatchdogConfig(root);
  } catch (err) {
    if (!(err instanceof ConfigError && err.code === 'CONFIG_NOT_FOUND')) throw err;
    items.push({
      area: 'files',
      subject: 'config/local_model_process_watchdog.json',
      status: 'info',
      message: 'absent: the watchdog has nothing to supervise',
    });
  }
  if (watchdog) {
    const w = watchdogItems(root, watchdog);
    items.push(...w.items);
    if (w.rewrite) rewrites.push(w.rewrite);
  }
  const guardPid = loadConfig({ root, env }).paths.pid;
  items.push(...oldProcessItems(root, guardPid, watchdog));
  const m = makefileItems(root, laneguardCommand(env));
  items.push(...m.items);
  if (m.rewrite) rewrites.push(m.rewrite);
  items.push(...SERVICE_STEPS);
  return { root, items, rewrites, blocking: items.filter((i) => i.status === 'operator').length };
}
