// The one YAML reader of the tests: the `yaml` package, strict (duplicate keys and syntax errors
// throw with the line), so the shipped YAML is read as Prometheus, Alertmanager and Grafana read it.
import { parse } from 'yaml';

export function parseYamlFile(source: string): unknown {
  return parse(source, { strict: true, uniqueKeys: true, prettyErrors: true });
}
