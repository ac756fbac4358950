// The node flags `serve` runs with (docs/performance.md, "Footprint"), in one place: the `laneguard
// start` command line; the example systemd unit and LaunchAgent carry the same (a test compares
// them); the fleet benchmark starts serve with `laneguard start`'s command line.
//
// V8's defaults size a heap for throughput, not for a small daemon: under the steady allocation of
// cycles, the young generation grows to two 16 MB semi-spaces and the old generation is collected
// only once it has grown to about four times what is live, and each of V8's four background
// threads keeps a malloc arena of its own. A serve of 1,000 lanes with ~26 MB live held ~190 MB
// that way. All three flags are documented Node options:
// - a 1 MB semi-space keeps the young generation at 2 MB (more, shorter scavenges; at 10,000 lanes
//   this makes cycles much slower, see the docs: a large fleet raises it);
// - an old-generation ceiling makes V8 grow the heap in small steps (about 1.5 × what is live). It
//   is a ceiling, not a target: a 10,000-lane serve holds about 100 MB live; a fleet of several tens
//   of thousands of lanes raises it;
// - one V8 background thread (GC and compilation work in the background on one core).
export const SERVE_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=1',
  '--max-old-space-size=512',
  '--v8-pool-size=1',
];
