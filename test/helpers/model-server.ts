import { afterAll, beforeAll } from 'vitest';
import { deadUrl, ModelServer, type ModelServerOptions } from '../../src/sandbox/model-server.js';

/** One real loopback model server (and a dead URL) for the tests of a file. */
export function useModelServer(options: ModelServerOptions = {}): {
  readonly server: ModelServer;
  readonly dead: string;
} {
  const box = { server: undefined as unknown as ModelServer, dead: '' };
  beforeAll(async () => {
    box.server = await new ModelServer(options).start();
    box.dead = await deadUrl();
  });
  afterAll(async () => box.server.stop());
  return box;
}
