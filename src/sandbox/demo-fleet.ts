// The built-in sandbox fleet: real loopback model servers and lane workers, with the trouble the guard exists for.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deadUrl, ModelServer } from './model-server.js';
import { buildSandboxRoot } from './root.js';

export interface DemoFleet {
  root: string;
  servers: ModelServer[];
  deadUrl: string;
  tokenFile: string;
  /** Switch the fleet's guard config from observing (`alert`) to acting on its schedule (`hybrid`). */
  letScheduleAct(): void;
  stop(): Promise<void>;
}

export async function createDemoFleet(root: string, listen: string): Promise<DemoFleet> {
  const lmstudio = await new ModelServer({
    kind: 'lmstudio',
    models: ['qwen2.5-coder-7b-instruct', 'llama-3.1-8b-instruct'],
    loaded: ['qwen2.5-coder-7b-instruct'],
    contextLength: 32768,
  }).start();
  const ollama = await new ModelServer({
    kind: 'ollama',
    models: ['llama3.1:8b'],
    contextLength: 8192,
  }).start();
  // A llama.cpp server busy with another client's requests: both slots taken and one request
  // waiting (its /slots and /metrics say so), so the guard starts no lane on it (`endpoint_saturated`).
  const llama = await new ModelServer({
    kind: 'llamacpp',
    models: ['qwen2.5-14b-instruct-q4_k_m.gguf'],
    slots: 2,
    running: 2,
    waiting: 1,
    metricsEndpoint: true,
  }).start();
  const dead = await deadUrl();
  const tokenFile = path.join(root, 'config', 'webhook.token');
  buildSandboxRoot(root, {
    endpoints: [
      {
        id: 'lmstudio-local',
        base_url: lmstudio.baseUrl,
        kind: 'lmstudio',
        role: 'coder',
        max_parallel: 2,
      },
      {
        id: 'ollama-local',
        base_url: ollama.baseUrl,
        kind: 'ollama',
        role: 'general',
        max_parallel: 1,
      },
      {
        id: 'llamacpp-busy',
        base_url: llama.baseUrl,
        kind: 'llamacpp',
        role: 'long context',
        max_parallel: 2,
      },
      { id: 'gpu-box-down', base_url: dead, kind: 'openai', role: 'big models', max_parallel: 2 },
    ],
    lanes: [
      {
        id: 'lane-stale-pause',
        urls: [lmstudio.baseUrl],
        pending: 6,
        continuous: true,
        pause: { text: 'manual pause while debugging a prompt', ageSec: 3 * 3600 },
        sandbox: { task_ms: 4000 },
      },
      {
        id: 'lane-stopped',
        urls: [dead, ollama.baseUrl],
        pending: 4,
        states: { in_progress: 1 },
        continuous: true,
        sandbox: { task_ms: 5000 },
      },
      {
        id: 'lane-held',
        urls: [lmstudio.baseUrl],
        pending: 3,
        pause: {
          text: JSON.stringify({
            reason: 'manual hold: model swap planned',
            by: 'operator',
            hold: true,
          }),
          ageSec: 2 * 86400,
        },
      },
      { id: 'lane-on-dead-box', urls: [dead], pending: 2 },
      { id: 'lane-no-work', urls: [lmstudio.baseUrl], states: { done: 5 } },
      {
        id: 'lane-busy-server',
        urls: [llama.baseUrl],
        pending: 2,
        continuous: true,
        sandbox: { task_ms: 4000 },
      },
      // Works a few tasks, then hangs: alive, but no heartbeat and no progress (a stuck request).
      {
        id: 'lane-hangs',
        urls: [lmstudio.baseUrl],
        pending: 8,
        continuous: true,
        sandbox: { task_ms: 3000, hang_after_ms: 12_000 },
      },
    ],
    guard: {
      // The demo starts observing only (as if waiting for Alertmanager), then lets the schedule act.
      mode: 'alert',
      interval_sec: 5,
      fleet_probe_interval_sec: 5,
      fleet_capability_scan_interval_sec: 60,
      start_verify_sec: 2,
      idle_alert_threshold_cycles: 6,
      // Short for the demo (default 900 s); the sandbox opts in to restart_stalled.
      stalled_after_sec: 10,
      server: { listen, token_file: 'config/webhook.token' },
    },
  });
  writeFileSync(tokenFile, `demo-${Math.random().toString(36).slice(2)}\n`, { mode: 0o600 });
  return {
    root,
    letScheduleAct() {
      const file = path.join(root, 'config/local_model_idle_guard.json');
      const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      writeFileSync(file, JSON.stringify({ ...config, mode: 'hybrid' }, null, 2));
    },
    servers: [lmstudio, ollama, llama],
    deadUrl: dead,
    tokenFile,
    async stop() {
      await Promise.all([lmstudio.stop(), ollama.stop(), llama.stop()]);
    },
  };
}
