// Argv templates of fleet commands. Running them is src/process's job (runArgv).

/** Fill `{root}`, `{lane}`, `{endpoint}` in an argv template. Values are whole arguments, never parsed. */
export function expandArgv(template: readonly string[], values: Record<string, string>): string[] {
  return template.map((arg) =>
    arg.replace(/\{(root|lane|endpoint)\}/g, (whole, name: string) => values[name] ?? whole),
  );
}
