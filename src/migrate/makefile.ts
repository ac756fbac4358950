// The fleet's Makefile keeps the replaced guard's operator targets; migrate repoints their recipes
// to laneguard. Pure text in, text out.

/** Targets of the replaced system and the laneguard command each one becomes. */
export const REPOINTED_TARGETS: Readonly<Record<string, string>> = {
  'local-idle-guard-once': 'once --json',
  'local-idle-guard-start': 'start',
  'local-idle-guard-stop': 'stop',
  'local-idle-guard-status': 'status',
  'local-model-watchdog-once': 'watchdog once',
  'local-model-watchdog-start': 'watchdog start',
  'local-model-watchdog-stop': 'watchdog stop',
  'local-model-watchdog-status': 'watchdog status',
};

export interface TargetFinding {
  target: string;
  /** The recipe lines as they are (without the leading tab). */
  recipe: string[];
  /** The recipe line laneguard would put there. */
  replacement: string;
  repointed: boolean;
}

const recipeFor = (target: string): string =>
  `$(LANEGUARD) --root "$(CURDIR)" ${REPOINTED_TARGETS[target]}`;

/** A recipe that already runs laneguard (by the variable or by name) needs nothing. */
function runsLaneguard(recipe: readonly string[]): boolean {
  return recipe.length > 0 && recipe.every((line) => /\$\(LANEGUARD\)|\blaneguard\b/.test(line));
}

/** The targets of REPOINTED_TARGETS that this Makefile defines, with their recipes. */
export function findTargets(text: string): TargetFinding[] {
  const lines = text.split('\n');
  const found: TargetFinding[] = [];
  lines.forEach((line, i) => {
    const m = /^([A-Za-z0-9_.-]+)\s*:(?!=)/.exec(line);
    if (!m || !(m[1]! in REPOINTED_TARGETS)) return;
    const recipe: string[] = [];
    for (let j = i + 1; j < lines.length && lines[j]!.startsWith('\t'); j++)
      recipe.push(lines[j]!.slice(1));
    found.push({
      target: m[1]!,
      recipe,
      replacement: recipeFor(m[1]!),
      repointed: runsLaneguard(recipe),
    });
  });
  return found;
}

/**
 * Repoint every found target that does not run laneguard yet: its recipe becomes the one laneguard
 * line, and `LANEGUARD ?= <how laneguard is run here>` is added once at the top.
 */
export function repointMakefile(text: string, laneguardCommand: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    out.push(line);
    const m = /^([A-Za-z0-9_.-]+)\s*:(?!=)/.exec(line);
    if (!m || !(m[1]! in REPOINTED_TARGETS)) continue;
    const recipe: string[] = [];
    let j = i + 1;
    for (; j < lines.length && lines[j]!.startsWith('\t'); j++) recipe.push(lines[j]!.slice(1));
    if (runsLaneguard(recipe)) continue;
    out.push(`\t${recipeFor(m[1]!)}`);
    i = j - 1;
  }
  const hasVariable = lines.some((l) => /^LANEGUARD\s*[?:]?=/.test(l));
  const header = hasVariable
    ? []
    : [
        '# laneguard replaces the local model idle guard (see `laneguard migrate`).',
        `LANEGUARD ?= ${laneguardCommand}`,
        '',
      ];
  return [...header, ...out].join('\n');
}
