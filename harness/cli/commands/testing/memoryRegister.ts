// A register in the harness process, for fast `faultline matrix` tests on local nodes: correct by default;
// with options.stale, every read returns the value before the last write (a read one write behind), which the
// linearizable checker reports violated as soon as a read follows a second write.
import { defineSystem, type Value } from '../../../plugin.ts';

let current: Value = null;
let previous: Value = null;

export default defineSystem({
  name: 'memory-register',
  description: 'an in-memory register, optionally one write behind on reads (tests)',
  start() {
    current = null;
    previous = null;
    return Promise.resolve();
  },
  async stop() {},
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
