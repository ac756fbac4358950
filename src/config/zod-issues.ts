import type * as z from 'zod';
import { ConfigError } from './errors.js';
import { nearest } from './suggest.js';

/**
 * How a config file is parsed: issues carry their input (for the did-you-mean hints), and zod's
 * compiled fast path is skipped: generating it costs more than it saves on a file parsed once
 * (about half of loading the config on a cold start).
 */
export const CONFIG_PARSE = { reportInput: true, jitless: true } as const;

type AnySchema = z.ZodType;
interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  innerType?: AnySchema;
  element?: AnySchema;
  valueType?: AnySchema;
  in?: AnySchema;
}

function defOf(schema: AnySchema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** The object schema found at `path`, looking through defaults, optionals, arrays and pipes. */
function schemaAt(schema: AnySchema, path: readonly PropertyKey[]): AnySchema | null {
  let current: AnySchema | undefined = schema;
  let i = 0;
  while (current) {
    const def = defOf(current);
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else if (i >= path.length) return current;
    else if (def.type === 'object' && def.shape) current = def.shape[String(path[i++])];
    else if (def.type === 'array' && def.element) {
      current = def.element;
      i++;
    } else if (def.type === 'record' && def.valueType) {
      current = def.valueType;
      i++;
    } else return null;
  }
  return null;
}

export function knownKeysAt(schema: AnySchema, path: readonly PropertyKey[]): string[] {
  const found = schemaAt(schema, path);
  const shape = found ? defOf(found).shape : undefined;
  return shape ? Object.keys(shape) : [];
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** `; did you mean "x"?` for a misspelt enum value (the input is there when parsed with reportInput). */
function enumHint(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_value' || typeof issue.input !== 'string') return '';
  const values = issue.values.filter((v): v is string => typeof v === 'string');
  const guess = nearest(issue.input, values);
  return guess !== null ? `; did you mean "${guess}"?` : '';
}

/** Turn zod issues into errors that name the file, the key and what to do. */
export function issuesToErrors(
  file: string,
  schema: AnySchema,
  issues: readonly z.core.$ZodIssue[],
  describePath: (path: readonly PropertyKey[]) => string = formatPath,
): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        const keyPath = describePath([...issue.path, key]);
        const guess = nearest(key, known);
        const hint = guess
          ? `did you mean "${guess}"?`
          : `valid keys here: ${known.join(', ') || '(none)'}`;
        errors.push(new ConfigError('CONFIG_UNKNOWN_KEY', file, keyPath, `unknown key; ${hint}`));
      }
      continue;
    }
    const keyPath = describePath(issue.path) || '(top level)';
    errors.push(
      new ConfigError('CONFIG_INVALID_VALUE', file, keyPath, `${issue.message}${enumHint(issue)}`),
    );
  }
  return errors;
}
