import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../config/errors.js';
import {
  FileTooLargeError,
  formatBytes,
  READ_CAPS,
  readCappedText,
} from '../store/bounded-read.js';
import { GUARD_CONFIG_FILE, type LoadedConfig } from '../config/load.js';

export interface Credentials {
  token: string | null;
  basic: { username: string; password: string } | null;
}

export type AuthResult = 'ok' | 'missing' | 'invalid' | 'unconfigured';

function readSecret(file: string, key: string): string {
  let value: string;
  try {
    value = readCappedText(file, READ_CAPS.small).trim();
  } catch (err) {
    if (err instanceof FileTooLargeError)
      throw new ConfigError(
        'CONFIG_INVALID_VALUE',
        GUARD_CONFIG_FILE,
        key,
        `${file} is larger than ${formatBytes(READ_CAPS.small)}; it must hold only the secret`,
      );
    throw new ConfigError(
      'CONFIG_UNREADABLE',
      GUARD_CONFIG_FILE,
      key,
      `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}); create it or fix the path`,
    );
  }
  if (value === '')
    throw new ConfigError(
      'CONFIG_INVALID_VALUE',
      GUARD_CONFIG_FILE,
      key,
      `${file} is empty; put the secret in it`,
    );
  return value;
}

/** Webhook/API credentials: `server.token_file` or env LANEGUARD_WEBHOOK_TOKEN, and optional basic auth. */
export function loadCredentials(config: LoadedConfig, env: NodeJS.ProcessEnv): Credentials {
  const token = config.paths.tokenFile
    ? readSecret(config.paths.tokenFile, 'server.token_file')
    : env.LANEGUARD_WEBHOOK_TOKEN?.trim() || null;
  const basicCfg = config.guard.server.basic_auth;
  const basic =
    basicCfg && config.paths.basicAuthPasswordFile
      ? {
          username: basicCfg.username,
          password: readSecret(
            config.paths.basicAuthPasswordFile,
            'server.basic_auth.password_file',
          ),
        }
      : null;
  return { token, basic };
}

export function hasCredentials(c: Credentials): boolean {
  return c.token !== null || c.basic !== null;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/** The digest of each configured secret, made once (a webhook call hashes only what it sent). */
const secretDigests = new Map<string, Buffer>();

function secretDigest(secret: string): Buffer {
  let digest = secretDigests.get(secret);
  if (!digest) {
    // Bounded: secrets change only with a config reload.
    if (secretDigests.size >= 16) secretDigests.clear();
    digest = sha256(secret);
    secretDigests.set(secret, digest);
  }
  return digest;
}

/**
 * Compare what a request sent with a configured secret in constant time (digests have equal length
 * whatever the inputs).
 */
export function safeEqual(sent: string, secret: string): boolean {
  return timingSafeEqual(sha256(sent), secretDigest(secret));
}

/** Check an Authorization header: Bearer token or HTTP basic auth. */
export function checkAuthorization(header: string | undefined, c: Credentials): AuthResult {
  if (!hasCredentials(c)) return 'unconfigured';
  if (!header) return 'missing';
  const [scheme, ...rest] = header.trim().split(/\s+/);
  const value = rest.join(' ');
  if (scheme?.toLowerCase() === 'bearer' && c.token !== null)
    return safeEqual(value, c.token) ? 'ok' : 'invalid';
  if (scheme?.toLowerCase() === 'basic' && c.basic !== null) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return 'invalid';
    const userOk = safeEqual(decoded.slice(0, colon), c.basic.username);
    const passOk = safeEqual(decoded.slice(colon + 1), c.basic.password);
    return userOk && passOk ? 'ok' : 'invalid';
  }
  return 'invalid';
}

/**
 * A listen address is loopback when it names 127.0.0.0/8, ::1 or localhost. Only address literals
 * count: a host name such as `127.example.com` resolves to whatever DNS says.
 */
export function isLoopbackListen(listen: string): boolean {
  const host = parseListen(listen).host;
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** What is wrong with a listen address (`host:port`), or null when it is one. */
export function listenProblem(listen: string): string | null {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(listen.trim());
  if (!m) return `"${listen}" is not host:port (e.g. 127.0.0.1:9477)`;
  const port = Number(m[2]);
  return port > 65535 ? `port ${port} is out of range` : null;
}

export function parseListen(listen: string): { host: string; port: number } {
  const problem = listenProblem(listen);
  if (problem)
    throw new ConfigError('CONFIG_INVALID_VALUE', GUARD_CONFIG_FILE, 'server.listen', problem);
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(listen.trim())!;
  return { host: m[1] || '0.0.0.0', port: Number(m[2]) };
}
