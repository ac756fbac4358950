import type { LoadedConfig } from '../config/load.js';
import { replacedGuardMessage, replacedGuardRunning } from '../serve/replaced-guard.js';
import { UsageError } from './errors.js';

/** serve, start and once exit 2 while the replaced guard runs on the root. */
export function refuseBesideReplacedGuard(config: LoadedConfig): void {
  const found = replacedGuardRunning(config.root, config.paths.pid);
  if (found) throw new UsageError(replacedGuardMessage(found));
}
