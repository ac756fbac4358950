// How a family is declared on laneguard's registry. A gauge is set anew at every scrape by its
// collect() from the sources, so a series it does not set is absent; a counter counts as results
// arrive, or, where the counts live in the sources, is written from them the same way.
import { Counter, Gauge, type Registry } from 'prom-client';

export function familyKit(registry: Registry) {
  const registers = [registry];
  /** A family whose collect() sets it anew at each scrape: reset, then `fill`. */
  const atEachScrape = <L extends string, M extends { reset(): void }>(
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (metric: M) => void,
  ) => ({
    name: `laneguard_${name}`,
    help,
    labelNames,
    registers,
    collect(this: M) {
      this.reset();
      fill(this);
    },
  });
  return {
    registers,
    /** A gauge set at each scrape by `fill`. */
    gauge: <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      fill: (g: Gauge<L>) => void,
    ) => new Gauge<L>(atEachScrape(name, help, labelNames, fill)),
    /** A counter whose counts are kept in the sources, written at each scrape by `fill`. */
    counterFromSources: <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      fill: (c: Counter<L>) => void,
    ) => new Counter<L>(atEachScrape(name, help, labelNames, fill)),
    /** A counter incremented as results arrive. */
    counter: <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Counter<L>({ name: `laneguard_${name}`, help, labelNames, registers }),
  };
}

export type FamilyKit = ReturnType<typeof familyKit>;

export const b = (v: boolean): number => (v ? 1 : 0);

/** A count from outside (server load, token totals) fit to export: finite, not negative. */
export const isCount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0;
