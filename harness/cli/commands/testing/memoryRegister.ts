// A register in the harness process, for fast `faultline matrix` tests on local nodes: correct by default;
// with options.stale, every read returns the value before the last write (a read one write behind; -1, a value
// never written, before any write), so the final reads, which come after the last write, are always stale: the
// linearizable checker reports every such run violated.
import { defineSystem, type Value } from '../../../plugin.ts';

let current: Value = null;
let previous: Value = -1;

export default defineSystem({
  name: 'memory-register',
  description: 'an in-memory register, optionally one write behind on reads (tests)',
  start() {
    current = null;
    previous = -1;
    return Promise.resolve();
  },
  // options.stopDelayMs: a slow stop, so that a second Ctrl-C can land while teardown is still running.
  async stop({ options }) {
    const delay = typeof options.stopDelayMs === 'number' ? options.stopDelayMs : 0;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  },
  async kill() {},
  async pause() {},
  async resume() {},
  client({ options }) {
    const stale = options.stale === true;
    return Promise.resolve({
      async invoke(op) {
        await new Promise((r) => setTimeout(r, 2));
        if (op.f === 'write') {
          previous = current;
          current = op.value;
          return { type: 'ok', value: op.value };
        }
        return { type: 'ok', value: stale ? previous : current };
      },
      async close() {},
    });
  },
});
