// Types for cli-bundle.js, plain JavaScript so that bin/faultline.js can run it before any TypeScript loads.

/** The current bundle's main entry URL, or null when there is none or any of its sources changed. */
export function currentBundle(): string | null;

/** Builds the bundle and makes it current; returns its main entry URL. */
export function buildBundle(): Promise<string>;
