import { Router } from 'express';
import { isValidLaneId } from '../../config/lanes-schema.js';
import { parseSince, queryHistory } from '../../history/query.js';
import { jsonFileTextSliced } from '../../store/json-text.js';
import { TimeSlicer } from '../../util/slice.js';
import type { GuardPort } from '../port.js';
import { statusView } from '../status-view.js';
import { requireAuth } from './guard.js';

/** History reads served at once; more get 429 (each read is async and bounded, but costs disk). */
export const HISTORY_READS_AT_ONCE = 4;
/** Largest `limit` of one history request. */
export const HISTORY_LIMIT_MAX = 10_000;

export function apiRoutes(service: GuardPort): Router {
  const router = Router();
  let historyReads = 0;

  router.get('/api/v1/status', (_req, res) => {
    res.json(statusView(service));
  });

  router.get('/api/v1/history', async (req, res) => {
    const query = req.query as Record<string, unknown>;
    // A repeated parameter arrives as a list: say so instead of failing on it.
    const repeated = ['since', 'type', 'lane', 'limit'].find(
      (k) => query[k] !== undefined && typeof query[k] !== 'string',
    );
    if (repeated)
      return void res.status(400).json({
        error: 'bad_request',
        message: `${repeated}: give it once (several types: type=a,b)`,
      });
    const q = query as Record<string, string | undefined>;
    const now = service.clock.now();
    const since = q.since ? parseSince(q.since, now) : undefined;
    if (since === null)
      return void res.status(400).json({
        error: 'bad_request',
        message: 'since: use a duration (30m, 1h, 2d) or an ISO time',
      });
    if (q.lane !== undefined && !isValidLaneId(q.lane))
      return void res.status(400).json({ error: 'bad_request', message: 'lane: invalid lane id' });
    const limit = q.limit !== undefined ? Number(q.limit) : 200;
    if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_LIMIT_MAX)
      return void res.status(400).json({
        error: 'bad_request',
        message: `limit: an integer from 1 to ${HISTORY_LIMIT_MAX}`,
      });
    const types = q.type ? q.type.split(',').filter(Boolean) : undefined;
    if (historyReads >= HISTORY_READS_AT_ONCE) {
      res.set('retry-after', '1');
      return void res.status(429).json({
        error: 'too_many_requests',
        message: `${HISTORY_READS_AT_ONCE} history reads are running; retry in a second`,
      });
    }
    historyReads++;
    try {
      const { config } = service;
      const result = await queryHistory(config.paths.history, config.guard.history.keep_files, {
        since,
        types,
        lane: q.lane,
        limit,
      });
      res.json({ events: result.events, skipped_lines: result.skippedLines });
    } catch (err) {
      res.status(500).json({
        error: 'history_unreadable',
        message: `history unreadable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      });
    } finally {
      historyReads--;
    }
  });

  router.post('/api/v1/cycle', requireAuth(service), async (req, res) => {
    const dryRun = req.query.dry_run === '1' || req.query.dry_run === 'true';
    const wait = req.query.wait === '1' || req.query.wait === 'true';
    const pending = service.cycle({ trigger: 'manual', dryRun });
    if (!wait) {
      pending.catch(() => undefined);
      return void res.status(202).json({ accepted: true, coalesced: service.runner.busy });
    }
    try {
      const report = (await pending).report;
      // A 10,000-lane report is a few MB of JSON: written in slices, not in one stringify, as the
      // report file is (the same text). It answers a request: its slices never wait for others.
      res.type('json').send(await jsonFileTextSliced(report, new TimeSlicer({ foreground: true })));
    } catch (err) {
      res.status(503).json({ error: 'cycle_failed', message: (err as Error).message });
    }
  });

  router.post('/-/reload', requireAuth(service), (_req, res) => {
    const result = service.reload('http');
    if (result.ok) res.json({ reloaded: true });
    else res.status(400).json({ reloaded: false, error: 'invalid_config', message: result.error });
  });

  return router;
}
