// Temp files of atomic writes whose writer was killed between write and rename.
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { pidAlive } from '../process/index.js';

/** `.<name>.<pid>.<8 hex>.tmp`, as `atomicWriteFile` names them. */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** No atomic write takes this long: an older temp file is stray even if its pid was reused. */
const MAX_WRITE_MS = 10 * 60_000;

/**
 * Directories someone else listed (a cold lane read lists every lane's directory), with the temp
 * names each held: the sweep does not read them again. A temp file written after the listing is a
 * write still running, or one the next sweep finds.
 */
export class ListedDirs {
  private readonly temps = new Map<string, readonly string[]>();

  /** Record a listing of `dir` (bound: it can be handed on as a callback). */
  readonly record = (dir: string, names: Iterable<string>): void => {
    let temps: string[] | null = null;
    for (const name of names) if (TEMP_NAME.test(name)) (temps ??= []).push(name);
    this.temps.set(dir, temps ?? NONE);
  };

  /** The temp names `dir` held when it was listed; undefined when it was not. */
  tempsIn(dir: string): readonly string[] | undefined {
    return this.temps.get(dir);
  }
}

const NONE: readonly string[] = Object.freeze([]);

/**
 * Remove stray temp files in `dirs` (not recursive). A temp file whose writer still runs (a
 * concurrent write) is kept. Returns the files removed. Never throws: cleanup must not block a start.
 */
export function removeStrayTemps(
  dirs: Iterable<string>,
  nowMs: number,
  alive: (pid: number) => boolean = (pid) => pidAlive(pid),
  listed?: ListedDirs,
): string[] {
  const removed: string[] = [];
  for (const dir of new Set(dirs)) {
    let names: readonly string[] | undefined = listed?.tempsIn(dir);
    try {
      names ??= readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const match = TEMP_NAME.exec(name);
      if (!match) continue;
      const file = path.join(dir, name);
      try {
        const pid = Number(match[1]);
        const old = nowMs - statSync(file).mtimeMs > MAX_WRITE_MS;
        if (pid === process.pid || (alive(pid) && !old)) continue;
        unlinkSync(file);
        removed.push(file);
      } catch {
        /* gone meanwhile, or not ours to remove */
      }
    }
  }
  return removed;
}

/** Every directory laneguard writes atomically into: its artifacts, config, and each lane's directory. */
export function laneguardWriteDirs(config: LoadedConfig): string[] {
  const p = config.paths;
  const dirs = [
    p.report,
    p.state,
    p.fleetStatus,
    p.history,
    p.pid,
    p.lock,
    p.heartbeatState,
    p.ledger,
    p.watchdogConfig,
    p.guardConfig,
    p.lanesFile,
  ].map((f) => path.dirname(f));
  try {
    for (const entry of readdirSync(p.runtimeDir, { withFileTypes: true }))
      if (entry.isDirectory()) dirs.push(path.join(p.runtimeDir, entry.name));
  } catch {
    /* no runtime dir yet */
  }
  return dirs;
}
