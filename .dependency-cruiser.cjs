// Layering rules, checked by `npm run lint` (depcruise). They can fail: a pure module that starts to
// read a file, or an HTTP route that reaches for the service class, breaks the lint.

/**
 * The pure decision core: no I/O, no frameworks, no clock of its own (time is an argument). It is
 * closed: a core module imports (other than for types) only core modules, the config schemas and
 * zod, none of which imports a node:* module — so nothing the core reaches, even transitively, does I/O.
 */
const CORE = '^src/(core|domain)/';
const SCHEMAS = '^src/config/[a-z-]+-schema\\.ts$';
const PURE_LIBRARIES = '^node_modules/zod/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Import cycles make the order of module evaluation matter; break them with a smaller module.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-no-node-builtin',
      severity: 'error',
      comment: 'The pure core (and the config schemas it reads) reaches no node:* module.',
      from: { path: [CORE, SCHEMAS] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-is-closed',
      severity: 'error',
      comment:
        'A core module imports only core modules, config schemas and zod (types from anywhere): no express, prom-client, scheduler, store or process module, even transitively.',
      from: { path: [CORE, SCHEMAS] },
      to: { pathNot: [CORE, SCHEMAS, PURE_LIBRARIES], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'http-and-receiver-not-serve',
      severity: 'error',
      comment: 'Routes depend on the port they are given, never on the serve/ composition.',
      from: { path: '^src/(http|receiver)/' },
      to: { path: '^src/serve/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
