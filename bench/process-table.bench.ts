// What one look at the process table costs with each backend, next to what it replaces: a cycle
// used to read /proc/<pid>/stat and /proc/<pid>/cmdline for every lane. With ps (macOS) a cycle
// makes one `ps` call however many lanes there are; the per-process figure is printed below.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, bench, describe } from 'vitest';
import { procTable, psTable, type ProcessTable } from '../src/process/index.js';

const LANES = 20;
const lanes = Array.from({ length: LANES }, (_, i) =>
  spawn('sleep', ['600', `lane-${i}`], { stdio: 'ignore' }),
);
const pids = lanes.map((l) => l.pid!);
afterAll(() => lanes.forEach((l) => l.kill('SIGKILL')));

function lookUpLanes(table: ProcessTable): number {
  const snap = table.snapshot();
  let running = 0;
  for (const pid of pids) if (snap.get(pid)?.argv.includes(`lane-${pids.indexOf(pid)}`)) running++;
  return running;
}

/** The replaced per-lane reads. */
function perLaneProcReads(): number {
  let running = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!stat.includes(') Z ') && argv.includes(`lane-${pids.indexOf(pid)}`)) running++;
    } catch {
      /* gone */
    }
  }
  return running;
}

function report(name: string, run: () => unknown, processes: number): void {
  const rounds = 20;
  const started = performance.now();
  for (let i = 0; i < rounds; i++) run();
  const ms = (performance.now() - started) / rounds;
  console.log(
    `${name}: ${ms.toFixed(2)} ms per look, ${((ms * 1000) / processes).toFixed(1)} µs per process (${processes} processes in the table, ${LANES} lanes)`,
  );
}

const hasProc = (() => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();
const processes = psTable().snapshot().list().length;
if (hasProc) report('per-lane /proc reads (replaced)', perLaneProcReads, processes);
if (hasProc)
  report('proc backend, one snapshot + lane look-ups', () => lookUpLanes(procTable()), processes);
if (hasProc)
  report('proc backend, whole table (descendants)', () => procTable().snapshot().list(), processes);
report(
  'ps backend, one snapshot (one ps call) + lane look-ups',
  () => lookUpLanes(psTable()),
  processes,
);

describe(`process facts for ${LANES} lanes`, () => {
  if (hasProc) {
    bench('replaced: per-lane /proc reads (stat + cmdline)', () => {
      perLaneProcReads();
    });
    bench('proc backend: one snapshot, lanes looked up in it', () => {
      lookUpLanes(procTable());
    });
    bench('proc backend: the whole table (what descendants need)', () => {
      procTable().snapshot().list();
    });
  }
  bench(
    'ps backend: one snapshot = one ps call, lanes looked up in it',
    () => {
      lookUpLanes(psTable());
    },
    { iterations: 20, time: 0 },
  );
});
