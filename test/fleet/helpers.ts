import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { endpointSchema, type EndpointConfig } from '../../src/config/fleet-schema.js';
import { fetchHttpClient } from '../../src/fleet/http.js';
import type { ProbeContext } from '../../src/fleet/prober.js';
import { ModelServer, type ModelServerOptions } from '../../src/sandbox/model-server.js';

const servers: ModelServer[] = [];
const dirs: string[] = [];

/** A started sandbox model server, stopped after the test. */
export async function startServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  const server = await new ModelServer(options).start();
  servers.push(server);
  return server;
}

/** A fresh temp directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'laneguard-fleet-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An endpoint as the config loader would produce it (schema defaults applied). */
export function endpoint(
  fields: { id: string; base_url: string } & Record<string, unknown>,
): EndpointConfig {
  return endpointSchema.parse(fields);
}

export function probeContext(over: Partial<ProbeContext> = {}): ProbeContext {
  return { http: fetchHttpClient, now: () => new Date(), ...over };
}

/** Paths a server was asked for, in order. */
export function paths(server: ModelServer): string[] {
  return server.requests.map((r) => `${r.method} ${r.path}`);
}
