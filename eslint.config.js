import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Fixture executables are plain Node scripts.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The decision core stays pure: no I/O, no frameworks.
    files: ['src/guard/policy.ts', 'src/guard/conclude.ts', 'src/guard/backoff.ts', 'src/guard/capacity.ts', 'src/guard/score.ts', 'src/domain/**/*.ts', 'src/watchdog/policy.ts', 'src/watchdog/events.ts', 'src/watchdog/metrics.ts', 'src/watchdog/types.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', 'fs', 'child_process', 'express', 'prom-client'] },
      ],
    },
  },
);
