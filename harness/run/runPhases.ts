// The phases of a run: warm-up (traffic, no faults) → fault window (the nemesis schedule runs) → heal (every
// fault healed, traffic goes on) → recovery → quiesce (no traffic; only when the campaign asks) → final reads
// (every client reads every key until ok). Client traffic runs from the start of warm-up to the end of
// recovery. Each phase boundary syncs the history.
import type { CampaignSpec } from '../campaign/campaignSchema.ts';
import { durationMs } from '../campaign/campaignSchema.ts';
import type { ClientPool } from '../clients/clientPool.ts';
import type { HistoryRecorder } from '../history/recorder.ts';
import type { Workload } from '../workloads/index.ts';
import { OpGenerator } from '../workloads/opGenerator.ts';
import type { FaultDriver } from './faultDriver.ts';
import type { RunReporter } from './statusLine.ts';

export interface PhaseOptions {
  campaign: CampaignSpec;
  workload: Workload;
  seed: number;
  pool: ClientPool;
  faults: FaultDriver;
  recorder: HistoryRecorder;
  /** Aborts on Ctrl-C: every phase ends early, in-flight ops complete or time out. */
  signal: AbortSignal;
  onPhase(phase: string): void;
  reporter: RunReporter;
}

export async function runPhases(o: PhaseOptions): Promise<void> {
  const { campaign, pool, faults, recorder, signal } = o;
  const params = {
    keys: o.workload.multiKey ? campaign.workload.keys : 1,
    mix: campaign.workload.mix ?? o.workload.defaultMix,
    uniqueValues: campaign.workload.uniqueValues,
    valueRange: campaign.workload.valueRange,
    maxTxnLength: campaign.workload.maxTxnLength,
  };
  const generator = new OpGenerator(o.workload.create(params), o.seed);
  const started = Date.now();
  let phase = 'warm-up';
  const completions: number[] = [];
  recorder.onRecord((op) => {
    if (op.type !== 'invoke' && op.process !== 'nemesis') completions.push(Date.now());
  });
  const status = setInterval(() => {
    const now = Date.now();
    while (completions.length > 0 && completions[0]! < now - 1000) completions.shift();
    o.reporter.status({
      phase,
      elapsedMs: now - started,
      opsPerSecond: completions.length,
      ok: pool.counts.ok,
      fail: pool.counts.fail,
      info: pool.counts.info,
      activeFaults: faults.active(),
    });
  }, 250);
  const enter = (name: string): void => {
    phase = name;
    recorder.sync();
    o.onPhase(name);
  };
  try {
    const trafficStop = new AbortController();
    // The pool rejects when a client adapter breaks the run (or a worker throws): every phase then ends at
    // once, as on Ctrl-C, and the error is rethrown below, so the run fails instead of going on without traffic.
    const trafficFailed = new AbortController();
    const phases = AbortSignal.any([signal, trafficFailed.signal]);
    const stopTraffic = (): void => {
      trafficStop.abort();
    };
    phases.addEventListener('abort', stopTraffic, { once: true });
    enter('warm-up');
    const traffic = pool.run((process) => generator.next(process), trafficStop.signal);
    traffic.catch(() => {
      trafficFailed.abort();
    });
    await sleep(durationMs(campaign.phases.warmup), phases);
    if (!phases.aborted) {
      enter('faults');
      const window = AbortSignal.any([phases, AbortSignal.timeout(durationMs(campaign.phases.faults))]);
      await Promise.all([faults.run(window), sleep(durationMs(campaign.phases.faults), phases)]);
    }
    if (!phases.aborted) {
      enter('heal');
      const healStarted = Date.now();
      await faults.healAll();
      await sleep(durationMs(campaign.phases.heal) - (Date.now() - healStarted), phases);
    }
    if (!phases.aborted) {
      enter('recovery');
      await sleep(durationMs(campaign.phases.recovery), phases);
    }
    trafficStop.abort();
    await traffic;
    phases.removeEventListener('abort', stopTraffic);
    const quiesceMs = durationMs(campaign.phases.quiesce);
    if (!signal.aborted && quiesceMs > 0) {
      enter('quiesce');
      await sleep(quiesceMs, signal);
    }
    if (!signal.aborted) {
      enter('final reads');
      const budget = AbortSignal.any([signal, AbortSignal.timeout(durationMs(campaign.phases.finalReads))]);
      await pool.finalReads(generator.finalReads(), budget);
    }
    enter(signal.aborted ? 'interrupted' : 'done');
  } finally {
    clearInterval(status);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
