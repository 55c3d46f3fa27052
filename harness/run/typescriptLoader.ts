// Users' system modules may be TypeScript, and a JavaScript one still imports 'faultline/plugin', which is
// TypeScript. Run from the sources, tsx is already registered; run from the CLI bundle it is registered here,
// once and only when a user's module is about to load, so start-up never pays for it.

/** The URL of the bundled file this code was compiled into; not defined when it runs from the sources. */
declare const FAULTLINE_BUNDLE_URL: string | undefined;

let registered = false;

/** Makes .ts modules importable in this process. Idempotent. */
export async function ensureTypeScriptLoader(): Promise<void> {
  if (registered || typeof FAULTLINE_BUNDLE_URL !== 'string') return;
  registered = true;
  const { register } = await import('tsx/esm/api');
  register();
}
