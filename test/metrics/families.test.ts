import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { createMetrics } from '../../src/metrics/registry.js';
import { renderMetrics } from '../../src/metrics/render.js';
import { sandboxService } from '../helpers/service.js';
import { useModelServer } from '../helpers/model-server.js';

/** Every family the metrics documentation promises (the first column of its tables). */
function documentedFamilies(): string[] {
  const doc = readFileSync('docs/metrics.md', 'utf8');
  const names = new Set<string>();
  for (const m of doc.matchAll(/^\| `(laneguard_[a-z_]+)(?:\{[^`]*\})?` \|/gm)) names.add(m[1]!);
  for (const m of doc.matchAll(
    /`(laneguard_(?:build_info|config_last_reload_successful|config_last_reload_success_timestamp_seconds|history_write_errors_total|write_errors_total))/g,
  ))
    names.add(m[1]!);
  return [...names].sort();
}

const models = useModelServer();

describe('metric families', () => {
  it('the documentation lists the families of the contract', () => {
    const families = documentedFamilies();
    // 54 families in the first contract (laneguard_endpoints_total exported as laneguard_endpoints_enabled),
    // plus laneguard_config_last_reload_success_timestamp_seconds (SPEC §12), laneguard_local_held_work,
    // 2 of the webhook's rejections, 4 of server load (§12: requests_running, requests_waiting,
    // slots; and lanes_with_work), laneguard_write_errors_total (§12), and the stalled lanes'
    // lane_stalled and lanes_stalled (§12), and lane_crash_loop / lane_start_failing (naming the lane).
    expect(families).toHaveLength(67);
    for (const name of ['laneguard_lane_stalled', 'laneguard_lanes_stalled'])
      expect(families).toContain(name);
    for (const name of [
      'laneguard_fleet_idle',
      'laneguard_lane_starved',
      'laneguard_endpoint_utilization_ratio',
      'laneguard_webhook_alerts_total',
      'laneguard_watchdog_state_age_seconds',
      'laneguard_build_info',
    ]) {
      expect(families).toContain(name);
    }
  });

  it('every documented family is defined with HELP and TYPE, on a fresh registry of its own', async () => {
    const a = createMetrics({ version: 't', defaultMetrics: false });
    const b = createMetrics({ version: 't', defaultMetrics: false });
    expect(a.registry).not.toBe(b.registry);
    const text = (await renderMetrics(a, false)).body;
    for (const family of documentedFamilies()) {
      expect(text, family).toMatch(new RegExp(`^# HELP ${family} \\S`, 'm'));
      expect(text, family).toMatch(new RegExp(`^# TYPE ${family} (gauge|counter|histogram)$`, 'm'));
    }
    for (const m of text.matchAll(/^# TYPE (\S+) counter$/gm)) expect(m[1]).toMatch(/_total$/);
  });

  it('a real scrape after a cycle passes promtool check metrics', async () => {
    const { service } = sandboxService({
      endpoints: [{ id: 'lm', base_url: models.server.baseUrl }],
      lanes: [{ id: 'l1', urls: [models.server.baseUrl], pending: 1, continuous: true }],
    });
    await service.cycle({ trigger: 'manual' });
    const scrape = (await request(createApp(service)).get('/metrics').expect(200)).text;
    const check = spawnSync('promtool', ['check', 'metrics'], { input: scrape, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });
});
