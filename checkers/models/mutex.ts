// A lock: acquire needs it free, release needs it held (Knossos' mutex).
import type { Model } from './model.ts';

export function mutexModel(): Model<boolean> {
  return {
    name: 'mutex',
    init: () => false,
    step(held, op) {
      if (op.f === 'acquire') return held ? [] : [true];
      if (op.f === 'release') return held ? [false] : [];
      return [];
    },
    key: (held) => (held ? 1 : 0),
    describeState: (held) => (held ? 'held' : 'free'),
    describeOperation: (op) => `${op.f}${op.status === 'info' ? ' (outcome unknown)' : ''}`,
  };
}
