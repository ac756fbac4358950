// The end-to-end harness: real Prometheus, Alertmanager(s) and `laneguard serve` on loopback.
export { freePort, freePorts } from './ports.js';
export { ManagedProcess, stopAll, until, waitHttpOk } from './process.js';
export {
  Prometheus,
  shortenedRules,
  startPrometheus,
  RULES_FILE,
  type PromAnswer,
} from './prometheus.js';
export {
  Alertmanager,
  exampleConfig,
  startAlertmanager,
  startClusteredAlertmanagers,
  waitForCluster,
  SHORT,
  type Timings,
} from './alertmanager.js';
export { E2E_TOKEN, fleetRoot, Laneguard, startLaneguard } from './laneguard.js';

/** Seconds between two ISO times, for printed timings (never asserted). */
export function secondsBetween(from: string | number, to: string | number): string {
  const ms = new Date(to).getTime() - new Date(from).getTime();
  return `${(ms / 1000).toFixed(1)} s`;
}
