// Which backend reads the process table: by platform, or forced with LANEGUARD_PROCESS_TABLE.
import { existsSync } from 'node:fs';
import { procTable } from './proc-backend.js';
import { psTable } from './ps-backend.js';
import {
  BACKENDS,
  ProcessTableUnavailable,
  type BackendName,
  type ProcessSnapshot,
  type ProcessTable,
} from './table.js';

export const PROCESS_TABLE_ENV = 'LANEGUARD_PROCESS_TABLE';
/** Tests only: pretend to run on another platform (e.g. win32) to see the refusal. */
export const PLATFORM_OVERRIDE_ENV = 'LANEGUARD_TEST_PLATFORM';

/** Platforms with a POSIX ps (and no usable /proc, or a /proc without what we read). */
const PS_PLATFORMS = new Set(['darwin', 'freebsd', 'openbsd', 'netbsd', 'aix', 'sunos']);

/**
 * The backend for this platform and environment, or a one-line reason why process facts cannot be
 * read here. Pure apart from `hasProc`.
 */
export function chooseBackend(
  env: NodeJS.ProcessEnv,
  platform: string,
  hasProc: () => boolean = () => existsSync('/proc/self/stat'),
): { ok: true; backend: BackendName } | { ok: false; reason: string } {
  const effective = env[PLATFORM_OVERRIDE_ENV] || platform;
  const unsupported = (): { ok: false; reason: string } => ({
    ok: false,
    reason: `process facts cannot be read on ${effective}: laneguard reads them from /proc (Linux) or ps (macOS, BSD); this command needs them, so it does nothing rather than misjudge running lanes and daemons`,
  });
  if (effective === 'win32') return unsupported();
  const forced = env[PROCESS_TABLE_ENV];
  if (forced !== undefined && forced !== '') {
    if (!(BACKENDS as readonly string[]).includes(forced))
      return {
        ok: false,
        reason: `${PROCESS_TABLE_ENV}=${forced} is not a process-table backend; use one of: ${BACKENDS.join(', ')} (or unset it)`,
      };
    if (forced === 'proc' && !hasProc())
      return {
        ok: false,
        reason: `${PROCESS_TABLE_ENV}=proc but /proc is not available here; use ps (or unset it)`,
      };
    return { ok: true, backend: forced as BackendName };
  }
  if (effective === 'linux' || effective === 'android')
    return hasProc() ? { ok: true, backend: 'proc' } : { ok: true, backend: 'ps' };
  if (PS_PLATFORMS.has(effective)) return { ok: true, backend: 'ps' };
  return unsupported();
}

let current: { key: string; table: ProcessTable } | null = null;

/**
 * The process table for this process. Throws ProcessTableUnavailable (exit 2 in the CLI) where no
 * backend works. Re-chosen when the environment variables change (tests switch backends).
 */
export function processTable(env: NodeJS.ProcessEnv = process.env): ProcessTable {
  const key = `${env[PROCESS_TABLE_ENV] ?? ''}|${env[PLATFORM_OVERRIDE_ENV] ?? ''}`;
  if (current?.key === key) return current.table;
  const chosen = chooseBackend(env, process.platform);
  if (!chosen.ok) throw new ProcessTableUnavailable(chosen.reason);
  current = { key, table: chosen.backend === 'proc' ? procTable() : psTable() };
  return current.table;
}

/** A fresh look at the process table (for ps: one `ps` call, made at the first question). */
export function snapshot(): ProcessSnapshot {
  return processTable().snapshot();
}

/**
 * For commands about to rely on process facts: the table for this platform, proven to answer
 * (with ps, one call now, so a missing or broken ps is one clear error at the start, not a
 * failure in the middle of a cycle). Throws ProcessTableUnavailable.
 */
export function requireProcessTable(env: NodeJS.ProcessEnv = process.env): ProcessTable {
  const table = processTable(env);
  if (table.name === 'ps') table.snapshot().get(process.pid);
  return table;
}
