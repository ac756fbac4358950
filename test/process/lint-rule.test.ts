import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const SOURCE = `import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
export const signal = (pid: number): void => { process.kill(pid, 'SIGTERM'); };
export const stat = (pid: number): string => readFileSync(\`/proc/\${pid}/stat\`, 'utf8') + readFileSync('/proc/uptime', 'utf8');
export const run = spawn;
`;

async function ruleHits(file: string): Promise<string[]> {
  const [result] = await new ESLint().lintText(SOURCE, { filePath: file });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => `${m.line}:${m.ruleId}`);
}

describe('the lint rule keeping process work in src/process', () => {
  it('flags child_process, process.kill and /proc paths anywhere else in src/', async () => {
    expect(await ruleHits('src/lanes/x.ts')).toEqual([
      '1:no-restricted-imports',
      '3:no-restricted-syntax',
      '4:no-restricted-syntax',
      '4:no-restricted-syntax',
    ]);
  }, 60_000);

  it('allows them in src/process', async () => {
    expect(await ruleHits('src/process/x.ts')).toEqual([]);
  }, 60_000);
});
