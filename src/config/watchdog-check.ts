// What `config check` verifies about the watchdog config beyond its schema: that every restart
// command could actually run here. The loader does not (a missing cwd on one entry must not stop
// the watchdog from supervising the others).
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.js';
import type { WatchdogConfig } from './watchdog.js';

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where `program` would be found without a shell: a path (relative to `cwd`), or a PATH lookup. */
export function findProgram(program: string, cwd: string, env: NodeJS.ProcessEnv): string | null {
  if (program.includes('/')) {
    const file = path.resolve(cwd, program);
    return isExecutableFile(file) ? file : null;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const file = path.join(dir, program);
    if (isExecutableFile(file)) return file;
  }
  return null;
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** Problems that would make a restart fail: a `cwd` that does not exist, a program not found. */
export function checkWatchdogRuntime(
  config: WatchdogConfig,
  env: NodeJS.ProcessEnv = process.env,
): ConfigError[] {
  const errors: ConfigError[] = [];
  config.processes.forEach((p, index) => {
    // laneguard's own daemons run laneguard in the root: their configured command is never run.
    if (p.role !== 'configured' || !p.enabled) return;
    const key = (name: string): string => `processes[${index}].${name} (process "${p.id}")`;
    if (!isDirectory(p.cwd)) {
      errors.push(
        new ConfigError(
          'CONFIG_INVALID_VALUE',
          config.file,
          key('cwd'),
          `${p.cwd} does not exist on this machine; set cwd to an existing directory (a relative cwd resolves against the fleet root), or run \`laneguard migrate\``,
        ),
      );
      return;
    }
    const program = p.restartCommand[0]!;
    if (findProgram(program, p.cwd, env) === null) {
      const where = program.includes('/')
        ? `${path.resolve(p.cwd, program)} is not an executable file`
        : `"${program}" is not found on PATH`;
      errors.push(
        new ConfigError(
          'CONFIG_INVALID_VALUE',
          config.file,
          key('restart_command'),
          `${where}; install it or give its absolute path`,
        ),
      );
    }
  });
  return errors;
}
