// What a run shows while it runs: on a terminal, one live status line (phase, elapsed, ops/s, ok/fail/info,
// active faults) repainted 4x/s with log lines printed above it; otherwise plain lines, the status every 5 s.
// While checking, a check longer than a second gets its own live line (which checker, elapsed, and what its
// search has decided: keys, ops, configurations or SC's frontiers, budget left), on a terminal only.
import pc from 'picocolors';
import type { AnalysisProgress, CheckerSearchProgress } from '../../checkers/analyze.ts';
import type { IsolationSearchProgress } from '../../checkers/transactional/index.ts';
import type { SearchProgress } from '../../checkers/linearizable/progress.ts';
import type { SequentialSearchProgress } from '../../checkers/sequential/sequential.ts';

export interface StatusSnapshot {
  phase: string;
  elapsedMs: number;
  opsPerSecond: number;
  ok: number;
  fail: number;
  info: number;
  activeFaults: readonly string[];
}

export interface RunReporter {
  /** A line for the user (a step started, a warning). */
  line(message: string): void;
  /** The latest status; the reporter decides when to show it. */
  status(snapshot: StatusSnapshot): void;
  /** Stops repainting; the last status stays visible. */
  end(): void;
}

export function formatStatus(s: StatusSnapshot, color = false): string {
  const c = color ? pc : { green: String, red: String, yellow: String, bold: String, dim: String };
  const seconds = (s.elapsedMs / 1000).toFixed(0).padStart(3);
  const faults = s.activeFaults.length > 0 ? c.yellow(`faults: ${s.activeFaults.join(', ')}`) : c.dim('no faults');
  return (
    `${c.bold(s.phase.padEnd(11))} ${seconds}s  ${String(Math.round(s.opsPerSecond)).padStart(6)} ops/s  ` +
    `${c.green(`ok ${s.ok}`)}  ${c.red(`fail ${s.fail}`)}  ${c.yellow(`info ${s.info}`)}  ${faults}`
  );
}

/** What the live lines need of log-update. */
interface LiveLine {
  (text: string): void;
  clear(): void;
  done(): void;
}

/**
 * A live line on `stream`, log-update's, loaded only once a live line is wanted (on a terminal): it and the
 * width tables under it were a tenth of the start of a `check` whose output is piped. Until it has loaded the
 * line is not drawn; plain lines go straight to the stream.
 */
function lazyLiveLine(stream: NodeJS.WriteStream): LiveLine {
  let loaded: ReturnType<(typeof import('log-update'))['createLogUpdate']> | undefined;
  let finished = false;
  // Without it there is no live line, and nothing else is lost.
  import('log-update').then(
    (m) => {
      if (!finished) loaded = m.createLogUpdate(stream);
    },
    () => undefined,
  );
  const line = (text: string): void => {
    loaded?.(text);
  };
  line.clear = (): void => {
    loaded?.clear();
  };
  line.done = (): void => {
    finished = true;
    loaded?.done();
  };
  return line;
}

export function createReporter(stream: NodeJS.WriteStream, options: { live?: boolean } = {}): RunReporter {
  const live = options.live ?? (stream.isTTY && process.env.CI === undefined);
  if (!live) return plainReporter(stream);
  const update = lazyLiveLine(stream);
  let last: StatusSnapshot | undefined;
  let lastPaint = 0;
  return {
    line(message) {
      update.clear();
      stream.write(`${message}\n`);
      if (last !== undefined) update(formatStatus(last, true));
    },
    status(snapshot) {
      last = snapshot;
      const now = Date.now();
      if (now - lastPaint < 250) return;
      lastPaint = now;
      update(formatStatus(snapshot, true));
    },
    end() {
      if (last !== undefined) update(formatStatus(last, true));
      update.done();
    },
  };
}

function plainReporter(stream: NodeJS.WritableStream): RunReporter {
  let lastPrint = 0;
  let lastPhase = '';
  return {
    line(message) {
      stream.write(`${message}\n`);
    },
    status(snapshot) {
      const now = Date.now();
      if (snapshot.phase === lastPhase && now - lastPrint < 5000) return;
      lastPhase = snapshot.phase;
      lastPrint = now;
      stream.write(`${formatStatus(snapshot)}\n`);
    },
    end() {
      // Plain output has nothing to finish.
    },
  };
}

/** A reporter that shows nothing (tests, benchmarks). */
export const silentReporter: RunReporter = { line: () => undefined, status: () => undefined, end: () => undefined };

/** Which checker runs, and since when: `checking linearizable (3 of 5 checkers) 4.2 s`. */
export function formatCheckProgress(
  p: Pick<AnalysisProgress, 'checker' | 'index' | 'of' | 'search'>,
  elapsedMs: number,
): string {
  const head = `checking ${p.checker} (${p.index} of ${p.of} checker${p.of === 1 ? '' : 's'}) ${(elapsedMs / 1000).toFixed(1)} s`;
  const search = p.search?.();
  return search === undefined ? head : `${head}: ${formatCheckerSearch(search)}`;
}

function formatCheckerSearch(s: CheckerSearchProgress): string {
  if (!('checker' in s)) return formatSearchProgress(s);
  return s.checker === 'sequential' ? formatSequentialProgress(s) : formatIsolationProgress(s);
}

const count = (n: number): string => n.toLocaleString('en-US');

/** `3 of 10 keys decided (120,000 of 400,000 ops), 1,234,567 configurations explored, 112.0 s of budget left`. */
export function formatSearchProgress(s: SearchProgress): string {
  const unit = s.unit === 'keys' ? (s.parts === 1 ? 'key' : 'keys') : s.parts === 1 ? 'partition' : 'partitions';
  const given = s.undecided > 0 ? `, ${count(s.undecided)} given up` : '';
  const budget = s.budgetLeftMs === null ? '' : `, ${(s.budgetLeftMs / 1000).toFixed(1)} s of budget left`;
  return (
    `${count(s.decided)} of ${count(s.parts)} ${unit} decided${given} (${count(s.opsDecided)} of ${count(s.ops)} ops), ` +
    `${count(s.explored)} configurations explored${budget}`
  );
}

/**
 * `20 of 20 keys coherent, 312 write orders forced, 12,345 of 2,000,000 frontiers explored, at best 3,000 of
 * 4,000 ops placed in one order, 112.0 s of budget left`: SC keys are not decided one by one, so the line says
 * what is (each key's coherence) and how far the whole-history search has got.
 */
export function formatSequentialProgress(s: SequentialSearchProgress): string {
  const parts = [`${count(s.keysCoherent)} of ${count(s.keys)} keys coherent`];
  if (s.stage !== 'coherence') parts.push(`${count(s.forcedOrders)} write orders forced`);
  if (s.stage === 'search') {
    parts.push(`${count(s.frontiers)} of ${count(s.maxFrontiers)} frontiers explored`);
    parts.push(`at best ${count(s.placed)} of ${count(s.ops)} ops placed in one order`);
  } else if (s.stage === 'write orders') parts.push('deriving write orders');
  if (s.budgetLeftMs !== null) parts.push(`${(s.budgetLeftMs / 1000).toFixed(1)} s of budget left`);
  return parts.join(', ');
}

/**
 * `cycle search: 1,234 of 5,000 components searched (1,000,000 transactions, 3,100,000 edges), 112.0 s of budget
 * left`: the isolation analysis's stages (inference, dependency graph, weak levels, cycle search) in order.
 */
export function formatIsolationProgress(s: IsolationSearchProgress): string {
  const size =
    s.edges === 0
      ? `${count(s.transactions)} transactions`
      : `${count(s.transactions)} transactions, ${count(s.edges)} edges`;
  const head =
    s.stage === 'inference'
      ? `inferring version orders (${size})`
      : s.stage === 'graph'
        ? `building the dependency graph (${size})`
        : s.stage === 'weak levels'
          ? `checking the weak levels (${size}, ${count(s.components)} components)`
          : `cycle search: ${count(s.componentsSearched)} of ${count(s.components)} components searched (${size})`;
  return s.budgetLeftMs === null ? head : `${head}, ${(s.budgetLeftMs / 1000).toFixed(1)} s of budget left`;
}

export interface CheckProgressLine {
  /** Give to `analyze` as its onProgress. */
  onProgress(progress: AnalysisProgress): void;
  /** Stops repainting and erases the line: no frozen progress is left above the verdicts. */
  end(): void;
}

/** Shown only after this long: a quick check prints nothing extra. */
const checkProgressDelayMs = 1000;

/** Plain progress lines (FAULTLINE_PROGRESS=plain) come at most this often, and when what is decided changed. */
const plainProgressEveryMs = 1000;

/**
 * A live line on `stream` while a check runs longer than a second; only on a terminal (and not in CI), otherwise
 * it shows nothing, so plain and piped output stay as they were. With `plain` (default: FAULTLINE_PROGRESS=plain
 * in the environment) it prints plain lines instead, for logs and tests: at most one a second, each when the
 * search has moved, and the last one as each checker ends.
 */
/** The progress of a check nobody watches: no line drawn. */
export const silentCheckProgress: CheckProgressLine = { onProgress: () => undefined, end: () => undefined };

export function createCheckProgress(
  stream: NodeJS.WriteStream,
  options: { live?: boolean; plain?: boolean } = {},
): CheckProgressLine {
  if (options.plain ?? process.env.FAULTLINE_PROGRESS === 'plain') return plainCheckProgress(stream);
  const live = options.live ?? (stream.isTTY && process.env.CI === undefined);
  if (!live) return silentCheckProgress;
  const update = lazyLiveLine(stream);
  let current: AnalysisProgress | undefined;
  let started: number | undefined;
  let painted = false;
  const paint = (): void => {
    if (current === undefined || started === undefined) return;
    const elapsed = performance.now() - started;
    if (elapsed < checkProgressDelayMs) return;
    painted = true;
    update(pc.dim(formatCheckProgress(current, elapsed)));
  };
  // Repainted from a timer, not from onProgress alone: a checker in a worker sends no events while it searches.
  const timer = setInterval(paint, 250);
  timer.unref();
  return {
    onProgress(progress) {
      started ??= performance.now();
      current = progress;
      paint();
    },
    end() {
      clearInterval(timer);
      if (painted) update.clear();
      update.done();
    },
  };
}

function plainCheckProgress(stream: NodeJS.WritableStream): CheckProgressLine {
  let started: number | undefined;
  let current: AnalysisProgress | undefined;
  let lastPrint = -Infinity;
  let lastPrinted = '';
  /** Prints the running checker's line when its search moved (and, unless `now`, a second has passed). */
  const print = (now: boolean): void => {
    const search = current?.search?.();
    if (current === undefined || search === undefined) return;
    const { elapsedMs: _elapsed, budgetLeftMs: _left, ...moved } = search;
    const key = JSON.stringify(moved);
    if (key === lastPrinted || (!now && performance.now() - lastPrint < plainProgressEveryMs)) return;
    lastPrinted = key;
    lastPrint = performance.now();
    stream.write(`${formatCheckProgress(current, performance.now() - (started ?? performance.now()))}\n`);
  };
  // Polled, as the live line is repainted: a search reports to its checker, not to this line.
  const timer = setInterval(() => {
    print(false);
  }, 100);
  timer.unref();
  return {
    onProgress(progress) {
      started ??= performance.now();
      if (progress.event === 'start') {
        current = progress;
        lastPrinted = '';
        return;
      }
      // The last of each checker's lines: what it had decided when it ended.
      print(true);
      current = undefined;
    },
    end() {
      clearInterval(timer);
    },
  };
}
