/** Error codes for bad configuration; each message names the file, the key and the fix. */
export type ConfigErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_UNREADABLE'
  | 'CONFIG_INVALID_JSON'
  | 'CONFIG_UNKNOWN_KEY'
  | 'CONFIG_INVALID_VALUE'
  | 'CONFIG_PATH_ESCAPES'
  | 'CONFIG_MISSING_ENV';

export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly file: string;
  readonly key: string | null;

  constructor(code: ConfigErrorCode, file: string, key: string | null, message: string) {
    super(`${file}${key ? `: ${key}` : ''}: ${message}`);
    this.name = 'ConfigError';
    this.code = code;
    this.file = file;
    this.key = key;
  }
}

/** Several problems found in one pass, reported together so one edit fixes them all. */
export class ConfigErrors extends Error {
  readonly errors: ConfigError[];
  constructor(errors: ConfigError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ConfigErrors';
    this.errors = errors;
  }
}
