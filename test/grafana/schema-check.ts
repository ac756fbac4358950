// Dashboards checked against Grafana's own dashboard schema as published on npm: the `Dashboard`
// type of @grafana/schema (generated from the schema Grafana validates with). Each dashboard's JSON
// is compiled as an object literal that must satisfy it, so an unknown key, a wrong value type or
// an enum value Grafana does not know is a compile error that names the line.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The schema's types, as the JSON file format: TypeScript enums accept their string values, and
 * fields are optional because Grafana fills every missing field with the schema's default on load.
 * Two additions the generic schema leaves to the data source or the editor: the Prometheus
 * annotation query and options (the generic DataQuery has no `expr`) and a query variable's
 * `definition` (the query text the editor shows).
 */
const PRELUDE = `
import type { AnnotationQuery, DataQuery, Dashboard, VariableModel } from '@grafana/schema';
type Json<T> = T extends string ? (string extends T ? string : \`\${T}\`)
  : T extends number | boolean | null | undefined ? T
  : T extends readonly (infer U)[] ? Json<U>[]
  : T extends object ? { [K in keyof T]?: Json<T[K]> }
  : T;
type PrometheusAnnotationOptions = {
  target?: Json<DataQuery> & { expr?: string; interval?: string };
  tagKeys?: string; titleFormat?: string; textFormat?: string; useValueForTime?: boolean;
};
type Checked = Omit<Json<Dashboard>, 'annotations' | 'templating'> & {
  annotations?: { list?: Array<Omit<Json<AnnotationQuery>, 'target'> & PrometheusAnnotationOptions> };
  templating?: { list?: Array<Json<VariableModel> & { definition?: string }> };
};
`;

export interface SchemaProblem {
  file: string;
  line: number;
  message: string;
}

/** Problems of each JSON text (by name), one program for all. Lines are the JSON file's lines. */
export function checkDashboards(
  dashboards: Record<string, string>,
  repoRoot: string,
): SchemaProblem[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const prelude = PRELUDE.split('\n').length;
  const sources = new Map<string, { name: string; text: string }>();
  for (const [name, json] of Object.entries(dashboards)) {
    // A file under the repository root, so `@grafana/schema` resolves from its node_modules.
    const fileName = path.join(repoRoot, `.schema-check-${name.replace(/\W/g, '_')}.ts`);
    sources.set(fileName, {
      name,
      text: `${PRELUDE}export const dashboard = (\n${json.trim()}\n) satisfies Checked;\n`,
    });
  }
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (file, lang, ...rest) => {
    const own = sources.get(path.resolve(file));
    return own ? ts.createSourceFile(file, own.text, lang) : getSourceFile(file, lang, ...rest);
  };
  host.fileExists = (file) => sources.has(path.resolve(file)) || fileExists(file);
  const program = ts.createProgram([...sources.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const own = d.file ? sources.get(path.resolve(d.file.fileName)) : undefined;
    const line =
      d.file && d.start !== undefined
        ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 - prelude
        : 0;
    return {
      file: own?.name ?? d.file?.fileName ?? '(program)',
      line,
      message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
    };
  });
}

export function grafanaSchemaVersion(repoRoot: string): string {
  return (
    JSON.parse(
      readFileSync(
        path.join(repoRoot, 'node_modules', '@grafana', 'schema', 'package.json'),
        'utf8',
      ),
    ) as { version: string }
  ).version;
}
