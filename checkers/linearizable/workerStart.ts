// How the pool starts a worker thread: from the CLI bundle's compiled worker.js when this code runs from the
// bundle (scripts/cli-bundle.js defines FAULTLINE_BUNDLE_URL there), otherwise from worker.ts through tsx.
// Node only, like parallel.ts.

/** The URL of the bundled file this code was compiled into; not defined when it runs from the sources. */
declare const FAULTLINE_BUNDLE_URL: string | undefined;

export interface WorkerStart {
  /** A module URL, or with `eval` the source of a bootstrap module. */
  source: URL | string;
  eval: boolean;
}

/** What to start a worker from; null when neither a bundle nor tsx is available here. */
export function workerStart(): WorkerStart | null {
  if (typeof FAULTLINE_BUNDLE_URL === 'string')
    return { source: new URL('./worker.js', FAULTLINE_BUNDLE_URL), eval: false };
  // Node 20 does not apply `--import tsx` to a worker's entry module, so the worker registers tsx's loader
  // itself before importing the TypeScript entry.
  const entry = new URL('./worker.ts', import.meta.url).href;
  let tsxApi: string;
  try {
    tsxApi = import.meta.resolve('tsx/esm/api');
  } catch {
    return null;
  }
  return {
    source: `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`,
    eval: true,
  };
}
