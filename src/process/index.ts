// The process layer: every process fact laneguard reads and every signal it sends goes through here.
export * from './table.js';
export {
  chooseBackend,
  processTable,
  requireProcessTable,
  snapshot,
  PROCESS_TABLE_ENV,
  PLATFORM_OVERRIDE_ENV,
} from './select.js';
export { trySignal, pidExists } from './signal.js';
export * from './facts.js';
export * from './pidfile.js';
export * from './laneguard.js';
export * from './terminate.js';
export * from './spawn.js';
export * from './run.js';
export * from './daemon.js';
export { procTable } from './proc-backend.js';
export { psTable } from './ps-backend.js';
