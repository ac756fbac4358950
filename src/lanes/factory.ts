import type { LoadedConfig } from '../config/load.js';
import type { LaneAdapter } from './adapter.js';
import { CommandAdapter } from './command.js';
import { OrxaqAdapter } from './orxaq.js';

export interface LaneAdapterOptions {
  /** Told of each directory an orxaq lane read lists, with the names in it. */
  onListing?: (dir: string, names: readonly string[]) => void;
}

export function createLaneAdapter(
  config: LoadedConfig,
  options: LaneAdapterOptions = {},
): LaneAdapter {
  const { guard, paths, root } = config;
  if (guard.lanes.source === 'command') {
    return new CommandAdapter({
      root,
      runtimeDir: paths.runtimeDir,
      statusCommand: guard.lanes.status_command!,
      timeoutSec: guard.lanes.command_timeout_sec,
      staleManualPauseSec: guard.stale_manual_pause_sec,
    });
  }
  return new OrxaqAdapter({
    root,
    lanesFile: paths.lanesFile,
    runtimeDir: paths.runtimeDir,
    cmdlinePattern: guard.lanes.cmdline_pattern,
    staleManualPauseSec: guard.stale_manual_pause_sec,
    onListing: options.onListing,
  });
}
