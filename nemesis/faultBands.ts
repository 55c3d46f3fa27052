// How the report draws each fault kind (Jepsen's :perf entries and colours): which history fs open and
// close a band, and its colour. results/ reads this data and holds no per-fault code.
import type { FaultKind } from './schedule.ts';

export interface FaultBand {
  fault: FaultKind;
  label: string;
  start: string;
  stop: string;
  color: string;
}

export const faultBands: readonly FaultBand[] = [
  { fault: 'partition', label: 'partition', start: 'start-partition', stop: 'stop-partition', color: '#E9DCA0' },
  { fault: 'kill', label: 'kill', start: 'start-kill', stop: 'stop-kill', color: '#E9A4A0' },
  { fault: 'pause', label: 'pause', start: 'start-pause', stop: 'stop-pause', color: '#A0B1E9' },
  { fault: 'clock', label: 'clock skew', start: 'start-clock', stop: 'stop-clock', color: '#A0E9E3' },
  { fault: 'packet', label: 'packet faults', start: 'start-packet', stop: 'stop-packet', color: '#D1E8A0' },
];
