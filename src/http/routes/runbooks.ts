import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { packageRoot } from '../../util/package-root.js';
import { html } from '../html.js';

/** Runbooks linked from alert annotations and dashboards: docs/runbooks/<AlertName>.md, shown as text. */
export function runbookRoutes(): Router {
  const router = Router();
  const dir = path.join(packageRoot(), 'docs', 'runbooks');
  router.get('/runbooks/:name', (req, res) => {
    // `<AlertName>.md` too, so one runbook base URL serves both the docs and this route.
    const name = req.params.name.replace(/\.md$/, '');
    if (!/^Laneguard[A-Za-z]{1,64}$/.test(name))
      return void res.status(404).type('text/plain').send('no such runbook\n');
    const file = path.join(dir, `${name}.md`);
    if (!existsSync(file)) return void res.status(404).type('text/plain').send('no such runbook\n');
    const text = readFileSync(file, 'utf8');
    if (req.accepts(['text/html', 'text/markdown']) === 'text/markdown')
      return void res.type('text/markdown').send(text);
    const page = html`<!doctype html><meta charset="utf-8"><title>${name} — laneguard runbook</title><body style="font-family:sans-serif;max-width:52rem;margin:2rem auto"><p><a href="/">laneguard status</a></p><pre style="white-space:pre-wrap;font-family:inherit">${text}</pre></body>`;
    res.type('html').send(page.toString());
  });
  return router;
}
