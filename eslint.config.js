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
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // One process layer: only src/process reads /proc, runs child processes or sends signals. And zod
    // is imported as a namespace, so the bundle can leave out what is not used.
    files: ['src/**/*.ts'],
    ignores: ['src/process/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'node:child_process',
              message: 'Run and spawn processes through src/process (runArgv, spawnDetached).',
            },
            {
              name: 'child_process',
              message: 'Run and spawn processes through src/process (runArgv, spawnDetached).',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value='zod'] > :matches(ImportSpecifier[imported.name='z'], ImportDefaultSpecifier)",
          message:
            "import * as z from 'zod': with the namespace import the bundle leaves out the parts of zod laneguard does not use (scripts/bundle.mjs).",
        },
        {
          selector: "CallExpression[callee.object.name='process'][callee.property.name='kill']",
          message:
            'Signal processes through src/process (terminateVerified, terminateTree, trySignal).',
        },
        {
          selector: 'Literal[value=/^\\/proc(\\/|$)/]',
          message:
            'Read process facts through src/process (it also works where there is no /proc).',
        },
        {
          selector: 'TemplateElement[value.raw=/^\\/proc(\\/|$)/]',
          message:
            'Read process facts through src/process (it also works where there is no /proc).',
        },
      ],
    },
  },
);
