import {
  FileTooLargeError,
  formatBytes,
  READ_CAPS,
  readCappedText,
} from '../store/bounded-read.js';
import { ForbiddenKeyError, parseJson } from '../util/json.js';
import { ConfigError } from './errors.js';

/**
 * Read a JSON config file; `null` when it does not exist. Errors name the file and the fix: a file
 * that holds `null` is not a missing one, and a `__proto__`, `constructor` or `prototype` key is
 * refused wherever it is.
 */
export function readJsonFile(file: string, displayName: string): unknown {
  let text: string;
  try {
    text = readCappedText(file, READ_CAPS.config);
  } catch (err) {
    if (err instanceof FileTooLargeError) {
      throw new ConfigError(
        'CONFIG_UNREADABLE',
        displayName,
        null,
        `larger than ${formatBytes(READ_CAPS.config)}, far more than any laneguard config; is it the right file?`,
      );
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new ConfigError(
      'CONFIG_UNREADABLE',
      displayName,
      null,
      `cannot read: ${code ?? String(err)}`,
    );
  }
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (err) {
    if (err instanceof ForbiddenKeyError) {
      throw new ConfigError(
        'CONFIG_INVALID_VALUE',
        displayName,
        err.keyPath,
        `"${err.key}" is not allowed as a key (it would change laneguard's own objects); rename or remove it`,
      );
    }
    throw new ConfigError(
      'CONFIG_INVALID_JSON',
      displayName,
      null,
      `not valid JSON (${(err as Error).message}); fix the syntax or restore the file`,
    );
  }
  if (value === null)
    throw new ConfigError(
      'CONFIG_INVALID_VALUE',
      displayName,
      null,
      'is `null`; it must be a JSON object (write {} for all defaults)',
    );
  return value;
}
