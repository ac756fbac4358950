// What a new user hits first: usage errors that say what was meant, before any work is done.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { laneBadges } from '../../src/http/page/states.js';
import { buildSandboxRoot } from '../../src/sandbox/root.js';
import { laneRow } from '../http/status-page-fixtures.js';
import { laneguard } from '../helpers/cli.js';
import { useModelServer } from '../helpers/model-server.js';
import { shippedRoot } from '../helpers/shipped-root.js';
import { tempDir } from '../helpers/tmp.js';

const models = useModelServer();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

describe('what a command says', () => {
  it('a disabled lane shows as disabled, not stopped (lanes table, status page badge)', async () => {
    const fleet = shippedRoot(['http://127.0.0.1:9/v1']);
    const run = await laneguard(['--root', fleet.root, 'lanes'], { env: fleet.env });
    const row = (id: string) =>
      run.stdout
        .split('\n')
        .find((l) => l.startsWith(`${id} `))!
        .split(/\s+/);
    expect(row('gemini-test-backlog').slice(0, 3)).toEqual([
      'gemini-test-backlog',
      'no',
      'disabled',
    ]);
    expect(row('codex-governance').slice(0, 3)).toEqual(['codex-governance', 'yes', 'no']);
    expect(laneBadges(laneRow('g', { enabled: false, local: false }))[0]!.label).toBe('disabled');
    expect(laneBadges(laneRow('s', { enabled: true }))[0]!.label).toBe('stopped');
  });

  it('lanes pause on a running lane says the process keeps running until it reads its flag', async () => {
    const fleet = shippedRoot(['http://127.0.0.1:9/v1']);
    const worker = spawn(
      process.execPath,
      ['-e', 'setInterval(() => {}, 1000)', 'worker', '--lane', 'codex-governance'],
      { stdio: 'ignore' },
    );
    children.push(worker);
    mkdirSync(path.join(fleet.root, 'artifacts/autonomy/lanes/codex-governance'), {
      recursive: true,
    });
    writeFileSync(
      path.join(fleet.root, 'artifacts/autonomy/lanes/codex-governance/lane.pid'),
      `${worker.pid}\n`,
    );
    await new Promise((r) => setTimeout(r, 200));
    const run = await laneguard(['--root', fleet.root, 'lanes', 'pause', 'codex-governance'], {
      env: fleet.env,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `codex-governance is running (pid ${worker.pid}): it keeps running until it reads its paused.flag; laneguard does not stop it`,
    );
    const stopped = await laneguard(
      ['--root', fleet.root, 'lanes', 'pause', 'codex-routellm-npv'],
      { env: fleet.env },
    );
    expect(stopped.stdout).not.toContain('keeps running');
  });

  it('once shows the last line a failed start command printed next to FAILED', async () => {
    const root = buildSandboxRoot(tempDir(), {
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [{ id: 'l1', urls: [models.server.baseUrl], pending: 1 }],
      guard: {
        lanes: {
          start_command: [
            process.execPath,
            '-e',
            'console.log("starting {lane}"); console.error("lane-start: queue database is locked"); process.exit(3)',
          ],
        },
      },
    });
    const run = await laneguard(['--root', root, 'once']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      / {2}FAILED {3}l1: start: .* \| lane-start: queue database is locked\n/,
    );
  });
});

describe('usage errors with did-you-mean, before any work', () => {
  it('once --force-unpause with an unknown lane exits 2 and runs no cycle', async () => {
    const fleet = shippedRoot(['http://127.0.0.1:9/v1']);
    const run = await laneguard(
      ['--root', fleet.root, 'once', '--force-unpause', 'codex-governanse'],
      { env: fleet.env },
    );
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      'laneguard: --force-unpause: no lane "codex-governanse" in config/lanes.json; did you mean "codex-governance"?',
    );
    expect(
      existsSync(path.join(fleet.root, 'artifacts/autonomy/local_models/idle_guard_report.json')),
    ).toBe(false);
  });

  it('lanes pause / unpause name the nearest lane id', async () => {
    const fleet = shippedRoot(['http://127.0.0.1:9/v1']);
    for (const verb of ['pause', 'unpause']) {
      const run = await laneguard(['--root', fleet.root, 'lanes', verb, 'codex-routellm-nvp'], {
        env: fleet.env,
      });
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe(
        'laneguard: no lane "codex-routellm-nvp" in config/lanes.json; did you mean "codex-routellm-npv"?',
      );
    }
    expect(existsSync(path.join(fleet.root, 'artifacts/autonomy/lanes/codex-routellm-nvp'))).toBe(
      false,
    );
  });

  it('an endpoint kind and a history --type name the nearest valid value', async () => {
    const fleet = shippedRoot(['http://127.0.0.1:9/v1']);
    writeFileSync(
      path.join(fleet.root, 'config/local_model_fleet.json'),
      JSON.stringify({
        endpoints: [{ id: 'a', base_url: 'http://127.0.0.1:9/v1', kind: 'lmstuido' }],
      }),
    );
    const kind = await laneguard(['--root', fleet.root, 'config', 'check'], { env: fleet.env });
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain(
      'config/local_model_fleet.json: endpoints[0].kind (endpoint "a"): Invalid option: expected one of "openai"|"lmstudio"|"ollama"|"llamacpp"|"vllm"|"auto"; did you mean "lmstudio"?',
    );
    const fixed = shippedRoot(['http://127.0.0.1:9/v1']);
    const type = await laneguard(['--root', fixed.root, 'history', '--type', 'lane_strated']);
    expect(type.code).toBe(2);
    expect(type.stderr.trim()).toBe(
      'laneguard: --type: unknown event type "lane_strated"; did you mean "lane_started"?',
    );
    // A type with no near miss may be another version's event: allowed.
    expect(
      (await laneguard(['--root', fixed.root, 'history', '--type', 'something_else'])).code,
    ).toBe(0);
  });

  it('a --root that does not exist, or holds no config/, is named with its absolute path', async () => {
    const dir = tempDir();
    const missing = await laneguard(['--root', 'no-such-root', 'lanes'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(
      `laneguard: configuration error: ${path.join(dir, 'no-such-root')}: the fleet root does not exist; pass --root DIR (or set LANEGUARD_ROOT) to the directory that holds config/`,
    );
    mkdirSync(path.join(dir, 'empty'));
    const empty = await laneguard(['--root', 'empty', 'once'], { cwd: dir });
    expect(empty.code).toBe(2);
    expect(empty.stderr.trim()).toBe(
      `laneguard: configuration error: ${path.join(dir, 'empty')}: the fleet root has no config/ directory; pass --root DIR (or set LANEGUARD_ROOT) to the directory that holds config/local_model_fleet.json`,
    );
  });
});
