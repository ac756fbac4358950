// URLs shown outside the process (metric labels, the status API and page) never carry credentials:
// `user:pass@` and query values (an API key in `?key=…`) are replaced, the rest is kept so an
// operator still recognises the endpoint.

export const REDACTED = 'REDACTED';

export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not a URL we can take apart: drop everything up to a last `@` and after a `?` to be safe.
    return raw
      .replace(/^[^@/]*\/\/[^@]*@/, (m) => `${m.slice(0, m.indexOf('//') + 2)}${REDACTED}@`)
      .replace(/\?.*$/, `?${REDACTED}`);
  }
  if (url.username || url.password) {
    url.username = REDACTED;
    url.password = '';
  }
  for (const key of [...new Set(url.searchParams.keys())]) url.searchParams.set(key, REDACTED);
  url.hash = '';
  // `new URL` adds a trailing slash to a bare origin; keep the configured spelling otherwise.
  const text = url.toString();
  return raw.endsWith('/') || url.pathname !== '/' || text.includes('?')
    ? text
    : text.replace(/\/$/, '');
}
