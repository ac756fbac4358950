// The two settings of the shipped alerting rules, each written in one place: the job selector every
// expression uses and the base URL of the runbook links. Prometheus rule files have no variables,
// so `laneguard rules` prints the shipped file with them changed (as the exporter mixins generate
// theirs from one config). Pure: text in, text out.

export const DEFAULT_JOB = 'laneguard';
export const DEFAULT_RUNBOOK_URL = 'https://github.com/laneguard/laneguard/blob/main/docs/runbooks';

export interface RulesSettings {
  job: string;
  runbookUrl: string;
}

/** Why a setting cannot be used, or null. Each message names the option and the fix. */
export function settingsProblem(settings: RulesSettings): string | null {
  if (!/^[A-Za-z0-9_.:/-]{1,128}$/.test(settings.job)) {
    return `--job "${settings.job}": use the job_name of your scrape config (letters, digits and _ . : / - only)`;
  }
  let url: URL;
  try {
    url = new URL(settings.runbookUrl);
  } catch {
    return `--runbook-url "${settings.runbookUrl}" is not a URL: give the absolute base, e.g. https://wiki.example/laneguard/runbooks`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `--runbook-url "${settings.runbookUrl}": use an http:// or https:// URL`;
  if (/['"\s{}]/.test(settings.runbookUrl))
    return `--runbook-url "${settings.runbookUrl}": quotes, braces and spaces are not allowed`;
  return null;
}

/**
 * The rules with the settings applied. Every runbook link is `<base>/<AlertName>.md`: the file in
 * the docs, and laneguard's own `/runbooks/` route answers that name too.
 */
export function applyRulesSettings(source: string, settings: RulesSettings): string {
  const base = settings.runbookUrl.replace(/\/+$/, '');
  return source
    .replaceAll(`job="${DEFAULT_JOB}"`, `job="${settings.job}"`)
    .replaceAll(DEFAULT_RUNBOOK_URL, base);
}
