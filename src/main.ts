#!/usr/bin/env node
// Source maps are read only for modules loaded after they are turned on, and reading them costs
// start-up time: so only --debug (which prints stack traces) turns them on, before the CLI loads.
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
const { runCli } = await import('./cli/program.js');

process.exitCode = await runCli(process.argv);
