// Reads the alerting rules of alerts/laneguard.rules.yml and the expectations of the promtool test
// files with a real YAML parser. The shapes are checked with zod, so a layout the tests do not
// understand fails loudly instead of being misread; the test also compares the rule count with
// promtool's.
import { z } from 'zod';
import { parseYamlFile } from '../helpers/yaml.js';

export interface AlertRule {
  name: string;
  expr: string;
  for: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const alertRule = z
  .object({
    alert: z.string(),
    expr: z.string(),
    for: z.string().optional(),
    keep_firing_for: z.string().optional(),
    labels: z.record(z.string(), z.string()).default({}),
    annotations: z.record(z.string(), z.string()).default({}),
  })
  .strict();
const recordingRule = z
  .object({
    record: z.string(),
    expr: z.string(),
    labels: z.record(z.string(), z.string()).optional(),
  })
  .strict();
const rulesFile = z
  .object({
    groups: z.array(
      z
        .object({
          name: z.string(),
          interval: z.string().optional(),
          rules: z.array(z.union([alertRule, recordingRule])),
        })
        .strict(),
    ),
  })
  .strict();

export function parseAlertRules(source: string): AlertRule[] {
  const doc = rulesFile.parse(parseYamlFile(source));
  return doc.groups.flatMap((group) =>
    group.rules.flatMap((rule) =>
      'alert' in rule
        ? [
            {
              name: rule.alert,
              expr: rule.expr.trim(),
              for: rule.for,
              labels: rule.labels,
              annotations: rule.annotations,
            },
          ]
        : [],
    ),
  );
}

export interface EvalExpectation {
  file: string;
  test: string;
  alertname: string;
  evalSeconds: number;
  firing: boolean;
}

// Durations as promtool writes them here: `1h`, `2m30s`, `45s`, `0m`.
export function durationSeconds(text: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === '') throw new Error(`unsupported duration: ${text}`);
  const [, h = '0', m = '0', s = '0'] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

const promtoolTests = z.object({
  tests: z
    .array(
      z.object({
        name: z.string(),
        alert_rule_test: z
          .array(
            z
              .object({
                eval_time: z.string(),
                alertname: z.string(),
                exp_alerts: z.array(z.unknown()).nullable().default([]),
              })
              .strict(),
          )
          .default([]),
      }),
    )
    .min(1),
});

// Alert expectations of a promtool test file: one per `alert_rule_test` item of each named test;
// an empty `exp_alerts` means "not firing", a non-empty one "firing".
export function parseAlertExpectations(file: string, source: string): EvalExpectation[] {
  const parsed = promtoolTests.safeParse(parseYamlFile(source));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.message}`);
  return parsed.data.tests.flatMap((test) =>
    test.alert_rule_test.map((item) => ({
      file,
      test: test.name,
      alertname: item.alertname,
      evalSeconds: durationSeconds(item.eval_time),
      firing: (item.exp_alerts ?? []).length > 0,
    })),
  );
}
