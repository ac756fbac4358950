import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSandboxRoot, type SandboxRootSpec } from '../../src/sandbox/root.js';
import { GuardService } from '../../src/serve/service.js';
import { systemClock, type Clock } from '../../src/util/clock.js';
import { tempDir } from './tmp.js';

export const TOKEN = 'test-token-0123456789';

/** A real GuardService on a fresh sandbox root (lanes run as real processes when started). */
export function sandboxService(
  spec: SandboxRootSpec,
  options: { token?: boolean; clock?: Clock } = {},
): { service: GuardService; root: string } {
  const root = tempDir();
  const guard = { ...(spec.guard ?? {}) } as Record<string, unknown>;
  if (options.token !== false) {
    guard.server = { ...((guard.server as object) ?? {}), token_file: 'config/webhook.token' };
  }
  buildSandboxRoot(root, { ...spec, guard });
  if (options.token !== false) writeFileSync(path.join(root, 'config/webhook.token'), `${TOKEN}\n`);
  const service = new GuardService({
    root,
    clock: options.clock ?? systemClock,
    version: '0.0.0-test',
    defaultMetrics: false,
    env: {},
  });
  return { service, root };
}

/** Value of one sample in a text exposition, or undefined. */
export function sample(
  exposition: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const pair of (m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      got[pair[1]!] = pair[2]!;
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[4]);
  }
  return undefined;
}
