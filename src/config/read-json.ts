import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

/** Read a JSON config file; `null` when it does not exist. Errors name the file and the fix. */
export function readJsonFile(file: string, displayName: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new ConfigError('CONFIG_UNREADABLE', displayName, null, `cannot read: ${code ?? String(err)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError(
      'CONFIG_INVALID_JSON',
      displayName,
      null,
      `not valid JSON (${(err as Error).message}); fix the syntax or restore the file`,
    );
  }
}
